import { AlreadyExistsError } from '../errors';
import type { LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import type { MarketplaceSubscription } from '../marketplace';
import { convergeOnLatestState, type ConvergeLatestDeps } from '../operations/convergeOnLatestState';
import { historyKey, type HistoryStore } from '../storage';
import { recordFromMarketplace, withKnownSeats } from '../subscription/fromMarketplace';
import { driftedFields, pickFields } from './driftedFields';

export interface RepairDeps extends ConvergeLatestDeps {
  history: HistoryStore;
  isv: LifecycleNotifier;
  logger: Logger;
}

export interface RunContext {
  runId: string;
  /** ISO instant of this comparison (the run's clock). */
  at: string;
}

export type RepairResult = { outcome: 'unchanged' } | { outcome: 'imported' } | { outcome: 'deferred' } | { outcome: 'repaired'; fields: string[] };

/**
 * Brings one stored subscription in line with Microsoft's view of it. Nothing is written when the
 * Microsoft-owned fields agree with the listed page. A subscription missing locally is created
 * (unless it is an ended test subscription: removing those is an operator's choice).
 * Otherwise the listing may already be older than the record (a webhook applied a newer change
 * since the page was read), so the repair re-reads Get Subscription under the subscription's lease
 * and converges on that (convergeOnLatestState: the lifecycle part through the state machine, so
 * the ISV hears about it and history rows record it, the rest in one ETag-conditional write); then
 * one `Drift` history row says what differed. When another worker holds the subscription the repair
 * is `deferred`: that worker reads Microsoft's state itself, and the next run looks again. Keys
 * derive from the run id: a retried run repeats them.
 */
export async function reconcileSubscription(deps: RepairDeps, truth: MarketplaceSubscription, run: RunContext): Promise<RepairResult> {
  const local = await deps.subscriptions.get(truth.id);
  if (local === undefined) {
    // An ended test subscription is not brought back (POST /api/test-subscriptions/remove removed it).
    if (truth.isTest === true && truth.saasSubscriptionStatus === 'Unsubscribed') return { outcome: 'unchanged' };
    return importSubscription(deps, truth, run);
  }
  if (driftedFields(local.value, recordFromMarketplace(withKnownSeats(truth, local.value), run.at, local.value)).length === 0) return { outcome: 'unchanged' };
  const converged = await convergeOnLatestState(deps, truth.id, { operationId: run.runId, action: 'Reconcile', correctionKind: false });
  if (converged.outcome === 'busy') {
    deps.logger.info('subscription drift left to the worker that holds it', { subscriptionId: truth.id });
    return { outcome: 'deferred' };
  }
  const { result } = converged;
  if (result.imported) return { outcome: 'imported' };
  const fields = driftedFields(result.before, result.record);
  if (fields.length === 0) return { outcome: 'unchanged' };
  await deps.history.append({
    subscriptionId: truth.id,
    at: run.at,
    kind: 'Drift',
    from: pickFields(result.before, fields),
    to: pickFields(result.record, fields),
    detail: `reconciliation found ${fields.join(', ')} different from the marketplace and repaired ${fields.length === 1 ? 'it' : 'them'}`,
    idempotencyKey: historyKey(run.runId, 'Drift'),
  });
  deps.logger.info('subscription drift repaired', { subscriptionId: truth.id, fields });
  return { outcome: 'repaired', fields };
}

async function importSubscription(deps: RepairDeps, truth: MarketplaceSubscription, run: RunContext): Promise<RepairResult> {
  const record = recordFromMarketplace(truth, run.at);
  try {
    await deps.subscriptions.create(record);
  } catch (error) {
    // Created meanwhile (the landing page, a webhook): the next run compares it.
    if (error instanceof AlreadyExistsError) return { outcome: 'unchanged' };
    throw error;
  }
  await deps.history.append({
    subscriptionId: truth.id,
    at: run.at,
    kind: 'ImportedFromMarketplace',
    to: { status: record.status, planId: record.planId, quantity: record.quantity ?? null },
    detail: 'not in Table Storage: imported by reconciliation',
    idempotencyKey: historyKey(run.runId, 'ImportedFromMarketplace'),
  });
  deps.logger.info('subscription imported from the marketplace', { subscriptionId: truth.id, status: record.status });
  return { outcome: 'imported' };
}
