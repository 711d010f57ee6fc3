import type { Clock } from '../clock';
import { ConcurrencyConflictError } from '../errors';
import type { LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import { MarketplaceApiError, UntrustedHostError, type MarketplaceApi, type MarketplaceOperation, type MarketplaceSubscription } from '../marketplace';
import { convergeOnLatestState } from '../operations/convergeOnLatestState';
import { operationTarget } from '../operations/convergeSubscription';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord, type SubscriptionStore } from '../storage';
import type { Versioned } from '../subscription/model';
import { FINAL_STATES, readDetails, writeDetails } from './publisherRequest';
import { nextPollDelaySeconds, type TrackingMessage } from './trackingMessage';

export interface TrackOperationDeps {
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  isv: LifecycleNotifier;
  marketplace: Pick<MarketplaceApi, 'getOperationByLocation' | 'getSubscription'>;
  queue: MessageQueue<TrackingMessage>;
  clock: Clock;
  logger: Logger;
  settings: { pollMaxDelaySeconds: number; timeoutMs: number };
}

/** `waiting`: polled again later. `completed` / `failed`: the row is final. `alreadyDone` / `unknown`: nothing to do. */
export type TrackOutcome = 'waiting' | 'completed' | 'failed' | 'alreadyDone' | 'unknown';

/**
 * One poll of a publisher-initiated operation (`Operation-Location`). Not final yet: the row notes
 * the status and the message comes back after a longer wait (bounded by the timeout). Succeeded:
 * the record converges on Microsoft's current state (convergeOnLatestState), keyed by Microsoft's
 * operation id exactly as the webhook path keys it, so the record changes once whichever path sees
 * the result first, and never back to this change's value when a newer change followed it.
 * Failed / Conflict: the row says why. Errors other than "not found" propagate: the queue retries.
 */
export async function trackPublisherOperation(deps: TrackOperationDeps, message: TrackingMessage): Promise<TrackOutcome> {
  const log = deps.logger.child({ requestId: message.requestId, subscriptionId: message.subscriptionId, operationId: message.operationId });
  const row = await deps.operations.get(message.requestId);
  if (row === undefined) {
    log.warn('tracking message without its request row: dropped (the webhook and reconciliation still apply the change)');
    return 'unknown';
  }
  if (FINAL_STATES.has(row.value.state)) return 'alreadyDone';
  const operation = await poll(deps, message);
  if (typeof operation === 'string') return finish(deps, row, { state: 'Failed', code: 'OperationNotFound', message: operation }, log);
  const status = operation.status;
  if (status === 'Succeeded') {
    const localOutcome = await apply(deps, message, row.value, operation, log);
    if (localOutcome === undefined) return pollSoon(deps, message, log);
    return finish(deps, row, { state: 'Completed', marketplaceStatus: status, localOutcome }, log);
  }
  if (status === 'Failed' || status === 'Conflict') {
    const reason = operation.errorMessage ?? (status === 'Conflict' ? 'the new value equals the current one' : 'Microsoft did not complete the operation');
    const code = `Operation${status}`;
    await deps.history.append({
      subscriptionId: message.subscriptionId,
      at: deps.clock.now().toISOString(),
      kind: 'PublisherChangeFailed',
      operationId: message.operationId,
      detail: `${message.action}: ${status}: ${reason}`,
      idempotencyKey: historyKey(message.requestId, 'PublisherChangeFailed'),
    });
    return finish(deps, row, { state: 'Failed', marketplaceStatus: status, code, message: `${status}${operation.errorStatusCode ? ` (${operation.errorStatusCode})` : ''}: ${reason}` }, log);
  }
  return waitLonger(deps, message, row, status, log);
}

/** The operation, or why it cannot be read (404, or a location outside the allow-list). */
async function poll(deps: TrackOperationDeps, message: TrackingMessage): Promise<MarketplaceOperation | string> {
  try {
    return await deps.marketplace.getOperationByLocation(message.operationLocation);
  } catch (error) {
    if (error instanceof MarketplaceApiError && error.status === 404) return 'Microsoft no longer knows this operation (404 on Operation-Location)';
    if (error instanceof UntrustedHostError) return `Operation-Location points at a host that may not receive our token (${error.host})`;
    throw error;
  }
}

/**
 * A Succeeded operation says only that Microsoft applied *this* change, not that it is still the
 * current state (a later change may have followed): the record converges on what Get Subscription
 * says now, under the subscription's lease (convergeOnLatestState), never on the operation's target.
 * Returns what happened locally, or undefined when another worker held the subscription.
 */
async function apply(deps: TrackOperationDeps, message: TrackingMessage, row: OperationRecord, operation: MarketplaceOperation, log: Logger): Promise<string | undefined> {
  const target = operationTarget(row.action, operation.planId ?? row.planId, operation.quantity ?? row.quantity);
  try {
    const converged = await convergeOnLatestState({ ...deps, logger: log }, message.subscriptionId, { operationId: message.operationId, action: message.action, target });
    if (converged.outcome === 'busy') return undefined;
    const { truth, result } = converged;
    if (result.imported) return 'imported: the subscription was not in Table Storage; created from the marketplace';
    const superseded = supersededBy(message.action, target, truth);
    if (superseded !== undefined) return `superseded: Microsoft now reports ${superseded}; the record follows Microsoft`;
    const changed = result.outcomes.some((o) => o.outcome === 'applied') || result.corrected.length > 0;
    return changed ? 'applied' : 'alreadyApplied';
  } catch (error) {
    if (error instanceof MarketplaceApiError && error.status === 404) return 'not applied: Microsoft no longer returns the subscription';
    throw error;
  }
}

/** How Microsoft's current state differs from what the operation asked for, or undefined. */
function supersededBy(action: string, target: { planId?: string; quantity?: number }, truth: MarketplaceSubscription): string | undefined {
  if (action === 'ChangePlan' && target.planId !== undefined && truth.planId !== target.planId) return `plan ${truth.planId}`;
  if (action === 'ChangeQuantity' && target.quantity !== undefined && truth.quantity !== target.quantity) return `${String(truth.quantity ?? 'no')} seats`;
  if (action === 'Unsubscribe' && truth.saasSubscriptionStatus !== 'Unsubscribed') return `status ${truth.saasSubscriptionStatus}`;
  return undefined;
}

async function waitLonger(deps: TrackOperationDeps, message: TrackingMessage, row: Versioned<OperationRecord>, status: string, log: Logger): Promise<TrackOutcome> {
  const waitedMs = deps.clock.now().getTime() - Date.parse(row.value.receivedAt);
  if (waitedMs >= deps.settings.timeoutMs) {
    const minutes = Math.round(waitedMs / 60_000);
    const text = `still ${status} after ${minutes} min; polling stopped. If Microsoft completes it later, the webhook or the next reconciliation applies it`;
    return finish(deps, row, { state: 'Failed', marketplaceStatus: status, code: 'TimedOut', message: text }, log);
  }
  const delaySeconds = nextPollDelaySeconds(message.delaySeconds, undefined, deps.settings.pollMaxDelaySeconds);
  const updated = await save(deps, row, (r) => ({ ...r, state: 'Processing', marketplaceStatus: status, attempts: r.attempts + 1, updatedAt: deps.clock.now().toISOString() }));
  if (updated === undefined || FINAL_STATES.has(updated.value.state)) return 'alreadyDone';
  await deps.queue.send({ ...message, delaySeconds }, { visibilityDelaySeconds: delaySeconds });
  log.debug('publisher operation not final yet', { status, nextPollSeconds: delaySeconds });
  return 'waiting';
}

/** Seconds before a Succeeded operation is read again when another worker held the subscription. */
export const BUSY_RETRY_SECONDS = 2;

/** Another worker is converging the subscription: the same poll again shortly (the wait does not double). */
async function pollSoon(deps: TrackOperationDeps, message: TrackingMessage, log: Logger): Promise<TrackOutcome> {
  await deps.queue.send(message, { visibilityDelaySeconds: BUSY_RETRY_SECONDS });
  log.debug('subscription busy; the succeeded operation is applied on the next poll', { nextPollSeconds: BUSY_RETRY_SECONDS });
  return 'waiting';
}

interface Final {
  state: 'Completed' | 'Failed';
  marketplaceStatus?: string;
  code?: string;
  message?: string;
  localOutcome?: string;
}

async function finish(deps: TrackOperationDeps, row: Versioned<OperationRecord>, final: Final, log: Logger): Promise<TrackOutcome> {
  const at = deps.clock.now().toISOString();
  await save(deps, row, (r) => {
    const next: OperationRecord = { ...r, state: final.state, attempts: r.attempts + 1, updatedAt: at };
    if (final.marketplaceStatus !== undefined) next.marketplaceStatus = final.marketplaceStatus;
    if (final.code !== undefined) next.lastError = { code: final.code, message: (final.message ?? final.code).slice(0, 1_000), at };
    if (final.localOutcome !== undefined) next.payload = writeDetails({ ...readDetails(r), localOutcome: final.localOutcome });
    return next;
  });
  if (final.state === 'Failed') log.warn('publisher operation failed', { code: final.code, marketplaceStatus: final.marketplaceStatus });
  else log.info('publisher operation completed', { localOutcome: final.localOutcome });
  return final.state === 'Completed' ? 'completed' : 'failed';
}

/**
 * ETag-conditional update of the row; on a conflict the fresh row is used, unless it became final
 * meanwhile (a duplicate message finished it). Undefined when the row disappeared.
 */
async function save(
  deps: TrackOperationDeps,
  row: Versioned<OperationRecord>,
  change: (current: OperationRecord) => OperationRecord,
): Promise<Versioned<OperationRecord> | undefined> {
  let current: Versioned<OperationRecord> | undefined = row;
  for (let attempt = 1; current !== undefined; attempt += 1) {
    if (attempt > 1 && FINAL_STATES.has(current.value.state)) return current;
    try {
      return await deps.operations.update(change(current.value), current.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt >= 5) throw error;
      current = await deps.operations.get(row.value.id);
    }
  }
  return undefined;
}
