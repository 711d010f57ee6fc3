import type { Clock } from '../clock';
import { ConcurrencyConflictError, NotFoundError } from '../errors';
import type { LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import { MarketplaceApiError, UntrustedHostError, type MarketplaceApi, type MarketplaceOperation } from '../marketplace';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord, type SubscriptionStore } from '../storage';
import { applySubscriptionEvent } from '../subscription/applyEvent';
import type { SubscriptionEvent } from '../subscription/events';
import type { Versioned } from '../subscription/model';
import { FINAL_STATES, readDetails, writeDetails } from './publisherRequest';
import { nextPollDelaySeconds, type TrackingMessage } from './trackingMessage';

export interface TrackOperationDeps {
  operations: Pick<OperationLedger, 'get' | 'update'>;
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  isv: LifecycleNotifier;
  marketplace: Pick<MarketplaceApi, 'getOperationByLocation'>;
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
 * the change is applied with `applySubscriptionEvent` keyed by Microsoft's operation id, exactly as
 * the webhook path keys it, so the record changes once whichever path sees the result first.
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

function eventFor(message: TrackingMessage, row: OperationRecord, operation: MarketplaceOperation, at: string): SubscriptionEvent | undefined {
  switch (message.action) {
    case 'ChangePlan': {
      const planId = operation.planId ?? row.planId;
      return planId === undefined ? undefined : { type: 'ChangePlan', planId, at };
    }
    case 'ChangeQuantity': {
      const quantity = operation.quantity ?? row.quantity;
      return quantity === undefined ? undefined : { type: 'ChangeQuantity', quantity, at };
    }
    case 'Unsubscribe':
      return { type: 'Unsubscribe', at };
  }
}

async function apply(deps: TrackOperationDeps, message: TrackingMessage, row: OperationRecord, operation: MarketplaceOperation, log: Logger): Promise<string> {
  const event = eventFor(message, row, operation, deps.clock.now().toISOString());
  if (event === undefined) return 'not applied: the operation names no target; reconciliation brings the record in line';
  try {
    const result = await applySubscriptionEvent({ ...deps, logger: log }, message.subscriptionId, event, { operationId: message.operationId });
    if (result.outcome === 'applied') return 'applied';
    if (result.outcome === 'unchanged') return 'alreadyApplied';
    return `not applied: ${result.refusal.message}; reconciliation brings the record in line`;
  } catch (error) {
    if (error instanceof NotFoundError) return 'not applied: no local record; reconciliation imports it';
    throw error;
  }
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
