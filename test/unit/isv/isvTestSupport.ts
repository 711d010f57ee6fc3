import { fixedClock } from '../../../shared/clock';
import { httpIsvHooksFor, type HttpIsvHooksOptions } from '../../../shared/isv/httpIsvHooks';
import type { IsvEvent, IsvHooks } from '../../../shared/isv/hooks';
import { createLogger, type LogFields, type Logger, type LogLevel } from '../../../shared/logging';
import { noTelemetry, type Telemetry } from '../../../shared/telemetry/telemetry';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { startIsvReceiver, type IsvReceiver } from '../../fakes/isvReceiver';

export const SECRET = 'isv-test-secret-0123456789abcdef0123456789';
export const NOW = '2025-03-01T12:00:00.000Z';

/** A provision event for the default test subscription; override any field. */
export function buildIsvEvent(overrides: Partial<IsvEvent> = {}): IsvEvent {
  const subscription = buildSubscriptionRecord({ status: 'PendingFulfillmentStart' });
  return {
    type: 'saas.subscription.provision',
    id: `${subscription.id}:provision`,
    subject: subscription.id,
    time: NOW,
    data: { subscription, operationId: 'op-1' },
    ...overrides,
  };
}

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

export function captureLogs(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, logger: createLogger((level, message, fields) => entries.push({ level, message, fields }), { level: 'debug' }) };
}

export interface HooksSetup {
  receiver: IsvReceiver;
  /** The hooks with `options.telemetry` (none by default). */
  hooks: IsvHooks;
  /** The same hooks with another telemetry (e.g. one span's scope). */
  hooksFor: (telemetry: Telemetry) => IsvHooks;
  clock: ReturnType<typeof fixedClock>;
  logs: LogEntry[];
}

/** A receiver on 127.0.0.1 and HTTP hooks pointed at it, sharing one fixed clock. */
export async function setupHooks(options: Partial<HttpIsvHooksOptions> = {}): Promise<HooksSetup> {
  const clock = fixedClock(NOW);
  const { logger, entries } = captureLogs();
  const receiver = await startIsvReceiver({ secret: SECRET, clock });
  const { telemetry = noTelemetry, ...rest } = options;
  const hooksFor = httpIsvHooksFor({
    webhookUrl: `${receiver.url}/events`,
    decisionUrl: `${receiver.url}/decisions`,
    secret: SECRET,
    timeoutMs: 2_000,
    decisionTimeoutMs: 2_000,
    clock,
    logger,
    ...rest,
  });
  return { receiver, hooks: hooksFor(telemetry), hooksFor, clock, logs: entries };
}
