import type { Clock } from '../clock';
import type { Logger } from '../logging';
import { historyKey, type HistoryStore, type MessageQueue } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';
import type { ActivationMessage } from './activationMessage';

/** History kind of "the landing page queued an activation" (one row per request). */
export const ACTIVATION_REQUESTED = 'ActivationRequested';

/**
 * How long a queued activation may take before a new landing visit queues another one. Five queue
 * attempts with the marketplace client's own retries fit well inside it; a message that vanished
 * (e.g. poisoned before our handler could record the failure) is then replaced, so no purchase is
 * lost. A duplicate message is harmless: activation reads the marketplace first.
 */
export const ACTIVATION_REQUEST_RETRY_MS = 15 * 60 * 1000;

export type ActivationTrigger = 'automatic' | 'confirm';

export interface RequestActivationDeps {
  activations: Pick<MessageQueue<ActivationMessage>, 'send'>;
  history: Pick<HistoryStore, 'append'>;
  clock: Clock;
  newId: () => string;
  logger: Logger;
}

/**
 * Queues the activation of `record` with its purchased plan and seats, then records the request in
 * history. The message goes first: a recorded request always has a message behind it.
 */
export async function requestActivation(deps: RequestActivationDeps, record: SubscriptionRecord, trigger: ActivationTrigger): Promise<ActivationMessage> {
  const requestId = deps.newId();
  const requestedAt = deps.clock.now().toISOString();
  const message: ActivationMessage = {
    subscriptionId: record.id,
    planId: record.planId,
    ...(record.quantity === undefined ? {} : { quantity: record.quantity }),
    requestId,
    requestedAt,
  };
  await deps.activations.send(message);
  await deps.history.append({
    subscriptionId: record.id,
    at: requestedAt,
    kind: ACTIVATION_REQUESTED,
    operationId: requestId,
    detail: trigger === 'confirm' ? 'The buyer confirmed activation on the landing page' : 'Queued automatically by the landing page',
    idempotencyKey: historyKey(requestId, ACTIVATION_REQUESTED),
  });
  deps.logger.info('activation requested', { subscriptionId: record.id, requestId, trigger });
  return message;
}

/** Histories of pending subscriptions are short: the latest request is among the newest rows. */
const HISTORY_LOOKBACK = 20;

/** Whether an activation was queued less than ACTIVATION_REQUEST_RETRY_MS before `now`. */
export async function activationRecentlyRequested(history: Pick<HistoryStore, 'list'>, subscriptionId: string, now: Date): Promise<boolean> {
  const { items } = await history.list(subscriptionId, { limit: HISTORY_LOOKBACK });
  const latest = items.find((entry) => entry.kind === ACTIVATION_REQUESTED);
  return latest !== undefined && now.getTime() - Date.parse(latest.at) < ACTIVATION_REQUEST_RETRY_MS;
}
