import { type Clock } from '../clock';
import { type IsvSettings } from '../config';
import { ConfigurationError } from '../errors';
import { type Logger } from '../logging';
import { noTelemetry, type Telemetry } from '../telemetry/telemetry';
import { noopIsvHooks, type IsvHooks } from './hooks';
import { httpIsvHooksFor } from './httpIsvHooks';

export interface CreateIsvHooksOptions {
  logger?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  telemetry?: Telemetry;
}

/**
 * The ISV hooks for the configured settings: `noopIsvHooks` itself when no URL is set, otherwise
 * the HTTP hooks (still a no-op for the part whose URL is absent). Cheap: nothing is sent or
 * resolved until a hook is called.
 */
export function createIsvHooks(settings: Readonly<IsvSettings>, options: CreateIsvHooksOptions = {}): IsvHooks {
  const { telemetry = noTelemetry, ...rest } = options;
  return isvHooksFor(settings, rest)(telemetry);
}

/**
 * The configured hooks for any telemetry (see httpIsvHooksFor): settings checked once, and each call
 * gives hooks whose spans come from that telemetry (one invocation's). `noopIsvHooks` for any
 * telemetry when no URL is set.
 */
export function isvHooksFor(settings: Readonly<IsvSettings>, options: Omit<CreateIsvHooksOptions, 'telemetry'> = {}): (telemetry: Telemetry) => IsvHooks {
  const { webhookUrl, decisionUrl, secret } = settings;
  if (webhookUrl === undefined && decisionUrl === undefined) return () => noopIsvHooks;
  if (secret === undefined || secret === '') {
    throw new ConfigurationError(['ISV_WEBHOOK_SECRET is required when ISV_WEBHOOK_URL or ISV_DECISION_URL is set']);
  }
  return httpIsvHooksFor({
    webhookUrl,
    decisionUrl,
    secret,
    timeoutMs: settings.timeoutMs,
    decisionTimeoutMs: settings.decisionTimeoutMs,
    ...options,
  });
}
