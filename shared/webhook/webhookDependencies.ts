import type { InvocationContext } from '@azure/functions';
import { getDependencies, perInvocation, type AppDependencies } from '../dependencies';
import type { Logger } from '../logging';
import type { OperationMessage } from '../operations/operationMessage';
import { QUEUE_NAMES } from '../storage';
import type { ReceiveWebhookDeps } from './receiveWebhook';
import { createWebhookTokenVerifier } from './tokenVerifier';

export interface WebhookDependencies extends Omit<ReceiveWebhookDeps, 'logger'> {
  logger(context: InvocationContext): Logger;
}

/**
 * The webhook's wiring from the app's dependencies; the key set cache lives as long as its verifier
 * (`processWide`'s, when given: the wiring of one invocation reuses the process's).
 */
export function webhookDependenciesFrom(app: AppDependencies, processWide?: WebhookDependencies): WebhookDependencies {
  const { webhook, marketplace } = app.config;
  return {
    verifier:
      processWide?.verifier ??
      createWebhookTokenVerifier({
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

/**
 * The webhook's wiring for an invocation (its queue's spans under the invocation's span), from the
 * app `getApp` gives. The verifier is built on first use and kept, so signing keys are fetched once
 * per worker, not per request.
 */
export function webhookDependencyGetter(getApp: () => AppDependencies): (context?: InvocationContext) => WebhookDependencies {
  return perInvocation(getApp, webhookDependenciesFrom);
}

export const getWebhookDependencies = webhookDependencyGetter(getDependencies);
