import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { ActivationMessage } from '../../../../shared/activation';
import { fixedClock } from '../../../../shared/clock';
import type { LandingSettings } from '../../../../shared/config';
import type { IsvEvent, IsvHooks } from '../../../../shared/isv/hooks';
import type { LandingDeps } from '../../../../shared/landing';
import { createLogger, type LogFields, type LogLevel } from '../../../../shared/logging';
import { createInMemoryTableStores } from '../../../fakes/inMemoryTableStores';
import { RecordingQueue } from '../../../fakes/recordingQueue';
import { FakeMarketplace } from './fakeMarketplace';

export const FORM_SECRET = 'a-form-secret-of-at-least-32-characters!';
export const NOW = '2026-03-01T10:00:00.000Z';

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

export function captureLogs() {
  const entries: LogEntry[] = [];
  const logger = createLogger((level, message, fields) => entries.push({ level, message, fields }), { level: 'debug' });
  return { entries, logger, text: () => JSON.stringify(entries) };
}

/** Landing page dependencies over in-memory fakes: stores with ETags, a recording queue, a fixed clock. */
export function landingRig(options: { settings?: Partial<LandingSettings>; marketplace?: FakeMarketplace } = {}) {
  const stores = createInMemoryTableStores();
  const marketplace = options.marketplace ?? new FakeMarketplace();
  const activations = new RecordingQueue<ActivationMessage>('activations');
  const clock = fixedClock(NOW);
  const logs = captureLogs();
  let ids = 0;
  const settings: LandingSettings = {
    activationMode: 'automatic',
    formSecret: FORM_SECRET,
    formTokenTtlSeconds: 900,
    easyAuth: false,
    requireSignIn: false,
    productName: 'Contoso Workspace',
    supportUrl: 'https://support.contoso.example/help',
    ...options.settings,
  };
  const deps: LandingDeps = {
    marketplace,
    subscriptions: stores.subscriptions,
    history: stores.history,
    activations,
    clock,
    newId: () => `request-${++ids}`,
    settings,
    logger: logs.logger,
  };
  return { ...stores, marketplace, activations, clock, logs, settings, deps };
}

/** ISV hooks that record every event and can be told to fail. */
export function recordingIsv() {
  const provisioned: IsvEvent[] = [];
  const notified: IsvEvent[] = [];
  const failures: Error[] = [];
  const hooks: IsvHooks = {
    provision: async (event) => {
      await Promise.resolve();
      provisioned.push(event);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
    },
    notify: async (event) => {
      await Promise.resolve();
      notified.push(event);
    },
    decide: () => Promise.resolve({ accept: true }),
  };
  return { hooks, provisioned, notified, failProvision: (...errors: Error[]) => failures.push(...errors) };
}

/** The response as the worker would send it, with its body as text. */
export async function readResponse(init: HttpResponseInit): Promise<{ status: number; headers: Headers; body: string }> {
  const response = new HttpResponse(init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}
