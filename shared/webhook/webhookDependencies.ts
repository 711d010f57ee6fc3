import type { InvocationContext } from '@azure/functions';
import { getDependencies, type AppDependencies } from '../dependencies';
import type { Logger } from '../logging';
import type { OperationMessage } from '../operations/operationMessage';
import { QUEUE_NAMES } from '../storage';
import type { ReceiveWebhookDeps } from './receiveWebhook';
import { createWebhookTokenVerifier } from './tokenVerifier';

export interface WebhookDependencies extends Omit<ReceiveWebhookDeps, 'logger'> {
  logger(context: InvocationContext): Logger;
}

/** The webhook's wiring from the app's dependencies; the key set cache lives as long as this object. */
export function webhookDependenciesFrom(app: AppDependencies): WebhookDependencies {
  const { webhook, marketplace } = app.config;
  return {
    verifier: createWebhookTokenVerifier({
      jwksUrl: webhook.jwksUrl,
      issuers: webhook.issuers,
      audiences: webhook.audiences,
      tenantId: marketplace.tenantId,
      clockSkewSeconds: webhook.clockSkewSeconds,
    }),
    operations: app.operations,
    queue: app.queue<OperationMessage>(QUEUE_NAMES.operations),
    clock: app.clock,
    maxBodyBytes: webhook.maxBodyBytes,
    logger: (context) => app.logger(context, { component: 'webhook' }),
  };
}

let cached: WebhookDependencies | undefined;

/** Built on first use and kept, so signing keys are fetched once per worker, not per request. */
export function getWebhookDependencies(): WebhookDependencies {
  cached ??= webhookDependenciesFrom(getDependencies());
  return cached;
}
