import type { ChangeDecision, ChangeDecisionHook, ChangeDecisionRequest } from '../isv/hooks';
import type { Logger } from '../logging';
import { MarketplaceApiError, type MarketplaceApi, type MarketplaceOperation } from '../marketplace';
import { historyKey, type HistoryStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';

/** Microsoft's window to accept or reject a plan / seat change (marketplace-api.md §4.2). */
export const ACK_WINDOW_MS = 10_000;
/** Time kept after the decision for the PATCH itself. */
export const ACK_RESERVE_MS = 1_500;
/** The decision gets at least this long, even when the window has already gone. */
export const MIN_DECISION_MS = 500;

export interface DecisionTiming {
  /** When the webhook was received (the ledger's `receivedAt`). */
  receivedAt: string;
  /** The operation's `timeStamp`, used when it is plausible (not after receipt, not before the window). */
  timeStamp?: string;
  now: Date;
  /** The decision hook's own deadline (ISV_DECISION_TIMEOUT_MS). */
  decisionTimeoutMs: number;
  ackWindowMs?: number;
}

/**
 * How long the ISV may think: until the window (10 s from the change, measured from our receipt or
 * the operation's timeStamp when that is earlier and plausible) minus a reserve for the PATCH,
 * and at least MIN_DECISION_MS (when the window has already gone), all capped by the decision timeout.
 */
export function decisionBudgetMs(timing: DecisionTiming): number {
  const windowMs = timing.ackWindowMs ?? ACK_WINDOW_MS;
  const received = Date.parse(timing.receivedAt);
  const stamped = timing.timeStamp === undefined ? Number.NaN : Date.parse(timing.timeStamp);
  const start = Number.isFinite(stamped) && stamped <= received && stamped >= received - windowMs ? stamped : received;
  const left = start + windowMs - ACK_RESERVE_MS - timing.now.getTime();
  return Math.min(timing.decisionTimeoutMs, Math.max(MIN_DECISION_MS, Number.isFinite(left) ? left : timing.decisionTimeoutMs));
}

/**
 * Asks the hook with a deadline. No answer in time, or a failing hook, accepts the change: Microsoft
 * accepts it anyway when the window closes, and a late refusal could not be honoured.
 */
export async function askIsv(hook: ChangeDecisionHook, request: ChangeDecisionRequest, budgetMs: number, logger: Logger): Promise<ChangeDecision> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ChangeDecision>((resolve) => {
    timer = setTimeout(() => {
      // Settle first, so that an answer provoked by the abort itself comes too late to count.
      resolve({ accept: true, reason: `no decision within ${budgetMs} ms` });
      controller.abort(new Error('decision deadline passed'));
    }, budgetMs);
  });
  try {
    return await Promise.race([hook.decide(request, { signal: controller.signal }), deadline]);
  } catch (error) {
    logger.warn('isv decision failed; change accepted', { error });
    return { accept: true, reason: 'decision hook failed' };
  } finally {
    clearTimeout(timer);
  }
}

export interface AcknowledgeDeps {
  marketplace: Pick<MarketplaceApi, 'updateOperation' | 'deleteSubscription'>;
  isv: ChangeDecisionHook;
  history: HistoryStore;
  logger: Logger;
}

export interface AcknowledgeInput {
  operation: MarketplaceOperation;
  action: 'ChangePlan' | 'ChangeQuantity' | 'Reinstate';
  subscriptionId: string;
  subscription: SubscriptionRecord;
  timing: DecisionTiming;
}

/** What was sent: a PATCH (Success/Failure), a cancellation (refused Reinstate), or nothing. */
export type Acknowledgement = { decision: ChangeDecision; sent: 'Success' | 'Failure' | 'Delete' | 'none' };

/**
 * Decides and answers an InProgress change: publisher-initiated changes (`Partner`) are accepted
 * without asking (we asked for them); otherwise the ISV decides. ChangePlan/ChangeQuantity get PATCH
 * Success or Failure. A Reinstate the ISV refuses is cancelled with DELETE (it cannot be rejected);
 * only if the DELETE is refused is the Reinstate PATCHed Failure instead. A 409 on the PATCH means
 * the operation is already final: fine, the caller reads the outcome back.
 */
export async function acknowledgeChange(deps: AcknowledgeDeps, input: AcknowledgeInput): Promise<Acknowledgement> {
  const { operation, action, subscriptionId } = input;
  const decision: ChangeDecision =
    operation.operationRequestSource === 'Partner'
      ? { accept: true, reason: 'publisher-initiated change' }
      : await askIsv(deps.isv, decisionRequest(input), decisionBudgetMs(input.timing), deps.logger);
  await deps.history.append({
    subscriptionId,
    at: input.timing.now.toISOString(),
    kind: decision.accept ? 'ChangeAccepted' : 'ChangeRefused',
    operationId: operation.id,
    detail: `${action}${decision.reason === undefined ? '' : `: ${decision.reason}`}`,
    idempotencyKey: historyKey(operation.id, 'Decision'),
  });
  if (action === 'Reinstate' && !decision.accept) {
    if (await cancelSubscription(deps, subscriptionId)) return { decision, sent: 'Delete' };
    return { decision, sent: await patch(deps, subscriptionId, operation.id, 'Failure') };
  }
  return { decision, sent: await patch(deps, subscriptionId, operation.id, decision.accept ? 'Success' : 'Failure') };
}

function decisionRequest(input: AcknowledgeInput): ChangeDecisionRequest {
  const request: ChangeDecisionRequest = { action: input.action, operationId: input.operation.id, subscription: input.subscription };
  if (input.action === 'ChangePlan' && input.operation.planId !== undefined) request.planId = input.operation.planId;
  if (input.action === 'ChangeQuantity' && input.operation.quantity !== undefined) request.quantity = input.operation.quantity;
  return request;
}

async function patch(deps: AcknowledgeDeps, subscriptionId: string, operationId: string, status: 'Success' | 'Failure'): Promise<'Success' | 'Failure' | 'none'> {
  try {
    await deps.marketplace.updateOperation(subscriptionId, operationId, status);
    return status;
  } catch (error) {
    if (error instanceof MarketplaceApiError && error.status === 409) {
      deps.logger.info('operation already final when acknowledged', { status });
      return 'none';
    }
    throw error;
  }
}

/** DELETE the subscription; false when the marketplace refuses it for good (4xx other than 404/409). */
async function cancelSubscription(deps: AcknowledgeDeps, subscriptionId: string): Promise<boolean> {
  try {
    await deps.marketplace.deleteSubscription(subscriptionId);
    deps.logger.warn('reinstatement refused by the ISV: subscription cancellation requested');
    return true;
  } catch (error) {
    const status = error instanceof MarketplaceApiError ? error.status : undefined;
    if (status === undefined || status >= 500 || status === 429) throw error;
    deps.logger.error('reinstatement refused but the subscription could not be cancelled', { error });
    return false;
  }
}
