import { NotFoundError } from '../errors';
import type { IsvEventType, LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import { historyKey, type HistoryEntry, type HistoryStore, type SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from './model';
import { transition, type Refusal, type SubscriptionChange, type SubscriptionEvent } from './stateMachine';

export interface ApplyEventDeps {
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  isv: LifecycleNotifier;
  logger: Logger;
}

export interface ApplyEventOptions {
  /** The marketplace operation behind the event: keys the history rows and the ISV event id. */
  operationId?: string;
}

export type ApplyEventOutcome =
  | { outcome: 'applied'; record: SubscriptionRecord; changes: readonly SubscriptionChange[] }
  | { outcome: 'unchanged'; record: SubscriptionRecord }
  | { outcome: 'refused'; record: SubscriptionRecord; refusal: Refusal };

const HISTORY_KIND: Record<SubscriptionChange['field'], string | undefined> = {
  status: 'StatusChanged',
  planId: 'PlanChanged',
  quantity: 'QuantityChanged',
  term: 'TermRenewed',
  retainUntil: undefined, // part of the Unsubscribe status change
};

const ISV_EVENT: Partial<Record<SubscriptionEvent['type'], IsvEventType>> = {
  Activate: 'saas.subscription.activated',
  ChangePlan: 'saas.subscription.plan_changed',
  ChangeQuantity: 'saas.subscription.quantity_changed',
  Renew: 'saas.subscription.renewed',
  Suspend: 'saas.subscription.suspended',
  Reinstate: 'saas.subscription.reinstated',
  Unsubscribe: 'saas.subscription.unsubscribed',
};

/**
 * The CloudEvent id (and Idempotency-Key) of the ISV event: stable across retries of the same work.
 * A subscription is activated once in its life, whichever path learns it first (the landing page's
 * activation or a Subscribe webhook), so `activated` has one id per subscription.
 */
function isvEventId(subscriptionId: string, event: SubscriptionEvent, workKey: string): string {
  return event.type === 'Activate' ? `${subscriptionId}:activated` : `${subscriptionId}:${workKey}`;
}

/**
 * Tells the ISV about an event the state machine accepted (before the record is written, with an id
 * that is stable across retries of the same work, so a failed notification leaves the record
 * unchanged and the retry tells it).
 */
export async function notifyIsv(
  deps: Pick<ApplyEventDeps, 'isv'>,
  subscriptionId: string,
  event: SubscriptionEvent,
  next: { record: SubscriptionRecord; changes: readonly SubscriptionChange[] },
  workKey: string,
  operationId: string | undefined,
): Promise<void> {
  const isvType = ISV_EVENT[event.type];
  if (isvType === undefined) return;
  await deps.isv.notify({
    type: isvType,
    id: isvEventId(subscriptionId, event, workKey),
    subject: subscriptionId,
    time: event.at,
    data: { subscription: next.record, operationId, changes: next.changes },
  });
}

/** The history rows of an event's changes: one per change, keyed by work and kind. */
export function changeHistory(
  subscriptionId: string,
  event: SubscriptionEvent,
  changes: readonly SubscriptionChange[],
  workKey: string,
  operationId: string | undefined,
): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const change of changes) {
    // The term Microsoft sets when billing starts is part of the activation, not a renewal.
    const kind = event.type === 'Activate' && change.field === 'term' ? undefined : HISTORY_KIND[change.field];
    if (kind === undefined) continue;
    entries.push({ subscriptionId, at: event.at, kind, operationId, from: change.from, to: change.to, idempotencyKey: historyKey(workKey, kind) });
  }
  return entries;
}

/**
 * Applies one lifecycle event to a stored subscription: the state machine decides, the ISV is told
 * (before the write, with an id that is stable across retries, so a failed notification leaves the
 * record unchanged and the queue retries), the record is written ETag-conditionally (re-read and
 * re-decided on conflict), and each change gets one history row keyed by operation and kind.
 * Applying the same event again is a no-op. A refused event is recorded in history and returned.
 */
export async function applySubscriptionEvent(
  deps: ApplyEventDeps,
  subscriptionId: string,
  event: SubscriptionEvent,
  options: ApplyEventOptions = {},
): Promise<ApplyEventOutcome> {
  const current = await deps.subscriptions.get(subscriptionId);
  if (current === undefined) throw new NotFoundError('Subscription', subscriptionId);
  const workKey = options.operationId ?? `${event.type}@${event.at}`;
  const log = deps.logger.child({ subscriptionId, operationId: options.operationId, event: event.type });

  const preview = transition(current.value, event);
  if (!preview.ok) {
    await deps.history.append({
      subscriptionId,
      at: event.at,
      kind: 'EventRefused',
      operationId: options.operationId,
      detail: `${preview.refusal.code}: ${preview.refusal.message}`,
      idempotencyKey: historyKey(workKey, 'EventRefused'),
    });
    log.warn('subscription event refused', { code: preview.refusal.code, status: preview.refusal.status });
    return { outcome: 'refused', record: current.value, refusal: preview.refusal };
  }
  if (!preview.changed) return { outcome: 'unchanged', record: current.value };

  await notifyIsv(deps, subscriptionId, event, { record: preview.record, changes: preview.changes }, workKey, options.operationId);

  let applied: readonly SubscriptionChange[] = [];
  const saved = await deps.subscriptions.updateWithRetry(subscriptionId, (record) => {
    const result = transition(record, event);
    if (!result.ok || !result.changed) {
      applied = [];
      return undefined;
    }
    applied = result.changes;
    return result.record;
  });
  for (const entry of changeHistory(subscriptionId, event, applied, workKey, options.operationId)) await deps.history.append(entry);
  if (applied.length === 0) return { outcome: 'unchanged', record: saved.value };
  log.info('subscription updated', { changes: applied.map((c) => c.field) });
  return { outcome: 'applied', record: saved.value, changes: applied };
}
