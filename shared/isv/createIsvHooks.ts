import { type Clock } from '../clock';
import { type IsvSettings } from '../config';
import { ConfigurationError } from '../errors';
import { type Logger } from '../logging';
import { type Telemetry } from '../telemetry/telemetry';
import { noopIsvHooks, type IsvHooks } from './hooks';
import { createHttpIsvHooks } from './httpIsvHooks';

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
  const { webhookUrl, decisionUrl, secret } = settings;
  if (webhookUrl === undefined && decisionUrl === undefined) return noopIsvHooks;
  if (secret === undefined || secret === '') {
    throw new ConfigurationError(['ISV_WEBHOOK_SECRET is required when ISV_WEBHOOK_URL or ISV_DECISION_URL is set']);
  }
  return createHttpIsvHooks({
    webhookUrl,
    decisionUrl,
    secret,
    timeoutMs: settings.timeoutMs,
    decisionTimeoutMs: settings.decisionTimeoutMs,
    ...options,
  });
}
