import type { Clock } from '../clock';
import { toError } from '../errors';
import type { ChangeDecisionHook, LifecycleNotifier, ProvisioningHook } from '../isv/hooks';
import type { Logger } from '../logging';
import type { MarketplaceApi, MarketplaceOperation, MarketplaceSubscription } from '../marketplace';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationSettlement, type OperationState, type SubscriptionStore } from '../storage';
import { acknowledgeChange, type Acknowledgement } from './acknowledgeChange';
import { convergeOnSubscribe } from './convergeOnSubscribe';
import { convergeSubscription, ensureLocalSubscription, operationTarget, type ConvergeOptions } from './convergeSubscription';
import { operationMessage, type OperationMessage, type RowVersion } from './operationMessage';
import { ledgerError, loadOperationRow, settleOperationRow } from './operationRow';
import { holdSubscriptionLease, type HeldLease } from './subscriptionLease';
import { ACKNOWLEDGED_ACTIONS, NOTIFY_ONLY_ACTIONS, verifyOperation } from './verifyOperation';

export interface ProcessOperationSettings {
  /** The ISV decision hook's deadline (ISV_DECISION_TIMEOUT_MS). */
  decisionTimeoutMs: number;
  /** Microsoft's acknowledgement window (default 10 s). */
  ackWindowMs?: number;
  /** A subscription lease older than this is abandoned (default 2 min). */
  leaseTtlMs?: number;
  /** Stop waiting for a final operation status this long after receipt (default 24 h). */
  maxWaitMs?: number;
  /** The host's maxDequeueCount: a failure on this attempt sends the message to the poison queue (default 5). */
  maxDequeueCount?: number;
}

export interface ProcessOperationDeps {
  operations: Pick<OperationLedger, 'create' | 'get' | 'settle'>;
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  marketplace: Pick<MarketplaceApi, 'getOperation' | 'getSubscription' | 'updateOperation' | 'deleteSubscription'>;
  isv: LifecycleNotifier & ChangeDecisionHook & ProvisioningHook;
  queue: MessageQueue<OperationMessage>;
  clock: Clock;
  logger: Logger;
  settings: ProcessOperationSettings;
}

/**
 * `completed`: verified and converged (or acknowledged). `rejected`: verification failed, nothing
 * applied. `ignored`: an action this app does not know. `alreadyDone`: a repeat. `busy`: another
 * worker holds the subscription; `waiting`: the operation is not final yet (both re-queued with a
 * delay). `gaveUp`: still not final after maxWaitMs.
 */
export type ProcessOutcome = 'completed' | 'rejected' | 'ignored' | 'alreadyDone' | 'busy' | 'waiting' | 'gaveUp';

export interface ProcessResult {
  outcome: ProcessOutcome;
  detail?: string;
  marketplaceStatus?: string;
  acknowledgement?: Acknowledgement;
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set([...ACKNOWLEDGED_ACTIONS, ...NOTIFY_ONLY_ACTIONS]);
const FINAL_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Conflict']);
const LEDGER_STATE: Record<ProcessOutcome, OperationState> = {
  completed: 'Completed',
  rejected: 'Rejected',
  ignored: 'Completed',
  alreadyDone: 'Completed',
  busy: 'Queued',
  waiting: 'Queued',
  gaveUp: 'Failed',
};
const MAX_REQUEUE_DELAY_SECONDS = 30;
const BUSY_REQUEUE_DELAY_SECONDS = 1;

/**
 * Processes one queued marketplace operation, idempotently: repeats of a finished operation stop at
 * once; work on one subscription is serialised by a lease; the operation is verified with Get
 * Operation (Get Subscription for notify-only actions without one); a pending ChangePlan /
 * ChangeQuantity / Reinstate is decided and acknowledged; local state changes only once the
 * operation is final, by converging on Get Subscription. Errors propagate (the queue retries; the
 * last attempt marks the ledger row Failed before the message goes to the poison queue).
 */
export async function processOperation(
  deps: ProcessOperationDeps,
  message: OperationMessage,
  delivery: { dequeueCount: number },
): Promise<ProcessResult> {
  const log = deps.logger.child({ operationId: message.operationId, subscriptionId: message.subscriptionId, action: message.action });
  const row = await rowVersion(deps, message);
  if (row.finished) return { outcome: 'alreadyDone' };
  let result: ProcessResult;
  try {
    if (!KNOWN_ACTIONS.has(message.action)) {
      await record(deps, message, 'OperationIgnored', 'an action this app does not know: recorded, nothing changed');
      result = { outcome: 'ignored' };
    } else {
      const held = await holdSubscriptionLease(deps, message.subscriptionId, (lease) => handle(deps, message, row.receivedAt, log, lease), deps.settings.leaseTtlMs);
      if (held.busy) {
        // The lease is short (a dead holder's expires within SUBSCRIPTION_LEASE_TTL_MS): look again every second.
        await requeue(deps, message, row, BUSY_REQUEUE_DELAY_SECONDS);
        return { outcome: 'busy' };
      }
      result = held.value;
    }
  } catch (error) {
    await recordFailure(deps, row, message, toError(error), delivery, log);
    throw error;
  }
  const etag = await finish(deps, message.operationId, row, result, delivery);
  if (result.outcome === 'waiting') await requeue(deps, message, { receivedAt: row.receivedAt, etag });
  if (result.outcome === 'ignored') log.info('operation ignored: unknown action');
  else log.info('operation processed', { outcome: result.outcome, marketplaceStatus: result.marketplaceStatus, sent: result.acknowledgement?.sent });
  return result;
}

/**
 * The ledger row's receipt time and ETag: from the message when it carries them (no read), else read
 * (created Queued when missing, e.g. for a replayed message). `finished`: a repeat of an operation
 * that is Completed or Rejected already.
 */
async function rowVersion(deps: ProcessOperationDeps, message: OperationMessage): Promise<RowVersion & { finished: boolean }> {
  if (message.etag !== undefined && message.receivedAt !== undefined) return { receivedAt: message.receivedAt, etag: message.etag, finished: false };
  const row = await loadOperationRow(deps.operations, message, deps.clock.now());
  return { receivedAt: row.value.receivedAt, etag: row.etag, finished: row.value.state === 'Completed' || row.value.state === 'Rejected' };
}

async function handle(deps: ProcessOperationDeps, message: OperationMessage, receivedAt: string, log: Logger, lease: HeldLease): Promise<ProcessResult> {
  const { operationId, subscriptionId, action } = message;
  const at = deps.clock.now().toISOString();
  const applyDeps = { subscriptions: deps.subscriptions, history: deps.history, isv: deps.isv, logger: log };
  const converge = { operationId, action, at };
  // The record is read once, under the lease; convergence writes it once, releasing the lease with it.
  let known = await deps.subscriptions.get(subscriptionId);
  // A late copy of an operation that already changed the record (its message carried the row's
  // version, so the row was not read): stop, rather than converge on a later state under its id.
  if (known?.value.appliedOperations?.includes(operationId) === true) return { outcome: 'alreadyDone', detail: 'already applied to the record' };
  const verification = await verifyOperation(deps.marketplace, message);
  if ('rejected' in verification) {
    await record(deps, message, 'OperationRejected', verification.rejected);
    log.warn('operation rejected: it does not match the marketplace', { reason: verification.rejected });
    return { outcome: 'rejected', detail: verification.rejected };
  }
  const convergeOn = (truth: MarketplaceSubscription, options: ConvergeOptions = converge) => {
    const held = { known, lease };
    return action === 'Subscribe' ? convergeOnSubscribe(applyDeps, truth, options, held) : convergeSubscription(applyDeps, truth, options, held);
  };
  if (verification.verified === 'subscription') {
    await convergeOn(verification.subscription);
    return { outcome: 'completed', detail: 'no operation behind it; verified with Get Subscription' };
  }
  let operation: MarketplaceOperation = verification.operation;
  let acknowledgement: Acknowledgement | undefined;
  if (ACKNOWLEDGED_ACTIONS.has(action) && operation.status === 'InProgress') {
    let subscription = known?.value;
    if (subscription === undefined) {
      const imported = await ensureLocalSubscription(applyDeps, await deps.marketplace.getSubscription(subscriptionId), converge);
      subscription = imported.record;
      known = imported.etag === undefined ? undefined : { value: imported.record, etag: imported.etag };
    }
    acknowledgement = await acknowledgeChange(
      { marketplace: deps.marketplace, isv: deps.isv, history: deps.history, logger: log },
      {
        operation,
        action: action as 'ChangePlan' | 'ChangeQuantity' | 'Reinstate',
        subscriptionId,
        subscription,
        timing: { receivedAt, timeStamp: operation.timeStamp, now: deps.clock.now(), decisionTimeoutMs: deps.settings.decisionTimeoutMs, ackWindowMs: deps.settings.ackWindowMs },
      },
    );
    if (acknowledgement.sent === 'Delete') return { outcome: 'completed', detail: 'reinstatement refused: cancellation requested', acknowledgement };
    operation = await deps.marketplace.getOperation(subscriptionId, operationId);
  }
  if (ACKNOWLEDGED_ACTIONS.has(action) && !FINAL_STATUSES.has(operation.status)) {
    return waitForFinal(deps, message, receivedAt, operation.status, acknowledgement);
  }
  // Stamped now, after the decision, so that history reads in the order things happened.
  const target = operationTarget(action, operation.planId, operation.quantity);
  await convergeOn(await deps.marketplace.getSubscription(subscriptionId), { ...converge, at: deps.clock.now().toISOString(), target });
  return { outcome: 'completed', marketplaceStatus: operation.status, acknowledgement };
}

/** Applies only once the operation is final: until then the message comes back later. */
async function waitForFinal(deps: ProcessOperationDeps, message: OperationMessage, receivedAt: string, status: string, acknowledgement?: Acknowledgement): Promise<ProcessResult> {
  const waitedMs = deps.clock.now().getTime() - Date.parse(receivedAt);
  if (waitedMs <= (deps.settings.maxWaitMs ?? 24 * 60 * 60 * 1000)) return { outcome: 'waiting', marketplaceStatus: status, acknowledgement };
  const detail = `still ${status} ${Math.round(waitedMs / 1000)} s after receipt; not applied`;
  await record(deps, message, 'OperationAbandoned', detail);
  return { outcome: 'gaveUp', marketplaceStatus: status, detail, acknowledgement };
}

/** Puts the message back with a delay, carrying the row's current version. */
async function requeue(deps: ProcessOperationDeps, message: OperationMessage, row: RowVersion, maxDelaySeconds = MAX_REQUEUE_DELAY_SECONDS): Promise<void> {
  const check = (message.check ?? 0) + 1;
  const delay = Math.min(maxDelaySeconds, 2 ** Math.min(check - 1, 5));
  await deps.queue.send(operationMessage(message.operationId, message.subscriptionId, message.action, { check, row }), {
    visibilityDelaySeconds: delay,
  });
}

/** Settles the ledger row (one merge); the row's new ETag. `attempts` counts the deliveries of the message that settled it. */
async function finish(deps: ProcessOperationDeps, operationId: string, row: RowVersion, result: ProcessResult, delivery: { dequeueCount: number }): Promise<string> {
  const changes: OperationSettlement = { state: LEDGER_STATE[result.outcome], updatedAt: deps.clock.now().toISOString(), attempts: delivery.dequeueCount };
  if (result.marketplaceStatus !== undefined) changes.marketplaceStatus = result.marketplaceStatus;
  return settleOperationRow(deps.operations, operationId, row.etag, changes);
}
async function record(deps: ProcessOperationDeps, message: OperationMessage, kind: string, detail: string): Promise<void> {
  await deps.history.append({
    subscriptionId: message.subscriptionId,
    at: deps.clock.now().toISOString(),
    kind,
    operationId: message.operationId,
    detail: `${message.action}: ${detail}`,
    idempotencyKey: historyKey(message.operationId, kind),
  });
}

/** Best effort: the error itself is what the queue acts on. */
async function recordFailure(
  deps: ProcessOperationDeps,
  row: RowVersion,
  message: OperationMessage,
  error: Error,
  delivery: { dequeueCount: number },
  log: Logger,
): Promise<void> {
  const last = delivery.dequeueCount >= (deps.settings.maxDequeueCount ?? 5);
  const at = deps.clock.now().toISOString();
  try {
    await settleOperationRow(deps.operations, message.operationId, row.etag, { state: last ? 'Failed' : 'Queued', updatedAt: at, attempts: delivery.dequeueCount, lastError: ledgerError(error, at) });
    if (last) await record(deps, message, 'OperationFailed', `gave up after ${delivery.dequeueCount} attempts: ${ledgerError(error, at).message}`);
  } catch (recordError) {
    log.warn('operation failure not recorded', { error: recordError });
  }
  if (last) log.error('operation failed for good: message goes to the poison queue', { error, attempts: delivery.dequeueCount });
  else log.info('operation attempt failed; the queue retries', { error, attempt: delivery.dequeueCount });
}
