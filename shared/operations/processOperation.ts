import type { Clock } from '../clock';
import { toError } from '../errors';
import type { ChangeDecisionHook, LifecycleNotifier, ProvisioningHook } from '../isv/hooks';
import type { Logger } from '../logging';
import type { MarketplaceApi, MarketplaceOperation, MarketplaceSubscription } from '../marketplace';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord, type OperationState, type SubscriptionStore } from '../storage';
import type { Versioned } from '../subscription/model';
import { acknowledgeChange, type Acknowledgement } from './acknowledgeChange';
import { convergeOnSubscribe } from './convergeOnSubscribe';
import { convergeSubscription, ensureLocalSubscription, operationTarget, type ConvergeOptions } from './convergeSubscription';
import { operationMessage, type OperationMessage } from './operationMessage';
import { ledgerError, loadOperationRow, saveOperationRow } from './operationRow';
import { holdSubscriptionLease } from './subscriptionLease';
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
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
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
  const started = deps.clock.now();
  const row = await loadOperationRow(deps.operations, message, started);
  if (row.value.state === 'Completed' || row.value.state === 'Rejected') return { outcome: 'alreadyDone' };
  if (!KNOWN_ACTIONS.has(message.action)) {
    await record(deps, message, 'OperationIgnored', 'an action this app does not know: recorded, nothing changed');
    await finish(deps, row, { outcome: 'ignored' });
    log.info('operation ignored: unknown action');
    return { outcome: 'ignored' };
  }
  const held = await holdSubscriptionLease(deps, message.subscriptionId, async () => {
    let current = row;
    try {
      current = await saveOperationRow(deps.operations, row, (r) => ({ ...r, state: 'Processing', attempts: r.attempts + 1, updatedAt: started.toISOString() }));
      const result = await handle(deps, message, current.value, log);
      if (result.outcome === 'waiting') await requeue(deps, message);
      await finish(deps, current, result);
      log.info('operation processed', { outcome: result.outcome, marketplaceStatus: result.marketplaceStatus, sent: result.acknowledgement?.sent });
      return result;
    } catch (error) {
      await recordFailure(deps, current, message, toError(error), delivery, log);
      throw error;
    }
  }, deps.settings.leaseTtlMs);
  if (held.busy) {
    // The lease is short (a dead holder's expires within SUBSCRIPTION_LEASE_TTL_MS): look again every second.
    await requeue(deps, message, BUSY_REQUEUE_DELAY_SECONDS);
    return { outcome: 'busy' };
  }
  return held.value;
}

async function handle(deps: ProcessOperationDeps, message: OperationMessage, row: OperationRecord, log: Logger): Promise<ProcessResult> {
  const { operationId, subscriptionId, action } = message;
  const at = deps.clock.now().toISOString();
  const applyDeps = { subscriptions: deps.subscriptions, history: deps.history, isv: deps.isv, logger: log };
  const converge = { operationId, action, at };
  const verification = await verifyOperation(deps.marketplace, message);
  if ('rejected' in verification) {
    await record(deps, message, 'OperationRejected', verification.rejected);
    log.warn('operation rejected: it does not match the marketplace', { reason: verification.rejected });
    return { outcome: 'rejected', detail: verification.rejected };
  }
  const convergeOn = (truth: MarketplaceSubscription, options: ConvergeOptions = converge) =>
    action === 'Subscribe' ? convergeOnSubscribe(applyDeps, truth, options) : convergeSubscription(applyDeps, truth, options);
  if (verification.verified === 'subscription') {
    await convergeOn(verification.subscription);
    return { outcome: 'completed', detail: 'no operation behind it; verified with Get Subscription' };
  }
  let operation: MarketplaceOperation = verification.operation;
  let acknowledgement: Acknowledgement | undefined;
  if (ACKNOWLEDGED_ACTIONS.has(action) && operation.status === 'InProgress') {
    const local = await deps.subscriptions.get(subscriptionId);
    const subscription = local?.value ?? (await ensureLocalSubscription(applyDeps, await deps.marketplace.getSubscription(subscriptionId), converge)).record;
    acknowledgement = await acknowledgeChange(
      { marketplace: deps.marketplace, isv: deps.isv, history: deps.history, logger: log },
      {
        operation,
        action: action as 'ChangePlan' | 'ChangeQuantity' | 'Reinstate',
        subscriptionId,
        subscription,
        timing: { receivedAt: row.receivedAt, timeStamp: operation.timeStamp, now: deps.clock.now(), decisionTimeoutMs: deps.settings.decisionTimeoutMs, ackWindowMs: deps.settings.ackWindowMs },
      },
    );
    if (acknowledgement.sent === 'Delete') return { outcome: 'completed', detail: 'reinstatement refused: cancellation requested', acknowledgement };
    operation = await deps.marketplace.getOperation(subscriptionId, operationId);
  }
  if (ACKNOWLEDGED_ACTIONS.has(action) && !FINAL_STATUSES.has(operation.status)) {
    return waitForFinal(deps, message, row, operation.status, acknowledgement);
  }
  // Stamped now, after the decision, so that history reads in the order things happened.
  const target = operationTarget(action, operation.planId, operation.quantity);
  await convergeOn(await deps.marketplace.getSubscription(subscriptionId), { ...converge, at: deps.clock.now().toISOString(), target });
  return { outcome: 'completed', marketplaceStatus: operation.status, acknowledgement };
}

/** Applies only once the operation is final: until then the message comes back later. */
async function waitForFinal(deps: ProcessOperationDeps, message: OperationMessage, row: OperationRecord, status: string, acknowledgement?: Acknowledgement): Promise<ProcessResult> {
  const waitedMs = deps.clock.now().getTime() - Date.parse(row.receivedAt);
  if (waitedMs <= (deps.settings.maxWaitMs ?? 24 * 60 * 60 * 1000)) return { outcome: 'waiting', marketplaceStatus: status, acknowledgement };
  const detail = `still ${status} ${Math.round(waitedMs / 1000)} s after receipt; not applied`;
  await record(deps, message, 'OperationAbandoned', detail);
  return { outcome: 'gaveUp', marketplaceStatus: status, detail, acknowledgement };
}

async function requeue(deps: ProcessOperationDeps, message: OperationMessage, maxDelaySeconds = MAX_REQUEUE_DELAY_SECONDS): Promise<void> {
  const check = (message.check ?? 0) + 1;
  const delay = Math.min(maxDelaySeconds, 2 ** Math.min(check - 1, 5));
  await deps.queue.send(operationMessage(message.operationId, message.subscriptionId, message.action, check), { visibilityDelaySeconds: delay });
}

async function finish(deps: ProcessOperationDeps, row: Versioned<OperationRecord>, result: ProcessResult): Promise<void> {
  await saveOperationRow(deps.operations, row, (r) => {
    const next: OperationRecord = { ...r, state: LEDGER_STATE[result.outcome], updatedAt: deps.clock.now().toISOString() };
    if (result.marketplaceStatus !== undefined) next.marketplaceStatus = result.marketplaceStatus;
    return next;
  });
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
  row: Versioned<OperationRecord>,
  message: OperationMessage,
  error: Error,
  delivery: { dequeueCount: number },
  log: Logger,
): Promise<void> {
  const last = delivery.dequeueCount >= (deps.settings.maxDequeueCount ?? 5);
  const at = deps.clock.now().toISOString();
  try {
    await saveOperationRow(deps.operations, row, (r) => ({ ...r, state: last ? 'Failed' : 'Queued', updatedAt: at, lastError: ledgerError(error, at) }));
    if (last) await record(deps, message, 'OperationFailed', `gave up after ${delivery.dequeueCount} attempts: ${ledgerError(error, at).message}`);
  } catch (recordError) {
    log.warn('operation failure not recorded', { error: recordError });
  }
  if (last) log.error('operation failed for good: message goes to the poison queue', { error, attempts: delivery.dequeueCount });
  else log.info('operation attempt failed; the queue retries', { error, attempt: delivery.dequeueCount });
}
