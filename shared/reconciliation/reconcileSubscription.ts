import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
import type { LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import type { MarketplaceSubscription } from '../marketplace';
import { eventsToMatch } from '../operations/convergeSubscription';
import { historyKey, type HistoryStore, type SubscriptionStore } from '../storage';
import { applySubscriptionEvent } from '../subscription/applyEvent';
import type { SubscriptionEvent } from '../subscription/events';
import { recordFromMarketplace } from '../subscription/fromMarketplace';
import type { SubscriptionRecord, Versioned } from '../subscription/model';
import { transition } from '../subscription/stateMachine';
import { driftedFields, pickFields } from './driftedFields';

export interface RepairDeps {
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  isv: LifecycleNotifier;
  logger: Logger;
}

export interface RunContext {
  runId: string;
  /** ISO instant of this comparison (the run's clock). */
  at: string;
}

export type RepairResult = { outcome: 'unchanged' } | { outcome: 'imported' } | { outcome: 'repaired'; fields: string[] };

/**
 * Brings one stored subscription in line with Microsoft's view of it. Nothing is written when the
 * Microsoft-owned fields agree. A subscription missing locally is created (unless it is an ended
 * test subscription). Otherwise the lifecycle
 * part of the drift (status, plan, seats, a renewed term) goes through the state machine, so the
 * ISV hears about it and history rows record it, and the rest (auto-renew, name, flags, allowed
 * operations, or what the state machine would not do) is one ETag-conditional write; then one
 * `Drift` history row says what differed. Keys derive from the run id: a retried run repeats them.
 */
export async function reconcileSubscription(deps: RepairDeps, truth: MarketplaceSubscription, run: RunContext): Promise<RepairResult> {
  const local = await deps.subscriptions.get(truth.id);
  if (local === undefined) {
    // An ended test subscription is not brought back: removing those is an operator's choice (POST /api/test-subscriptions/remove).
    if (truth.isTest === true && truth.saasSubscriptionStatus === 'Unsubscribed') return { outcome: 'unchanged' };
    return importSubscription(deps, truth, run);
  }
  const wanted = recordFromMarketplace(truth, run.at, local.value);
  const fields = driftedFields(local.value, wanted);
  if (fields.length === 0) return { outcome: 'unchanged' };
  if (!(await repair(deps, local, truth, wanted, run))) return { outcome: 'unchanged' };
  await deps.history.append({
    subscriptionId: truth.id,
    at: run.at,
    kind: 'Drift',
    from: pickFields(local.value, fields),
    to: pickFields(wanted, fields),
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

/**
 * The state-machine events that move `local` towards `truth` and that the state machine accepts
 * in sequence. A term without dates locally (never activated through us) is filled in, not renewed.
 */
export function lifecycleEvents(local: SubscriptionRecord, truth: MarketplaceSubscription, at: string): SubscriptionEvent[] {
  const accepted: SubscriptionEvent[] = [];
  let record = local;
  for (const event of eventsToMatch(local, truth, at)) {
    if (event.type === 'Renew' && local.term.startDate === undefined) continue;
    const result = transition(record, event);
    if (!result.ok) continue;
    record = result.record;
    accepted.push(event);
  }
  return accepted;
}

/** True when something was written (false: someone else repaired it meanwhile). */
async function repair(deps: RepairDeps, local: Versioned<SubscriptionRecord>, truth: MarketplaceSubscription, wanted: SubscriptionRecord, run: RunContext): Promise<boolean> {
  const events = lifecycleEvents(local.value, truth, run.at);
  if (events.length === 0) {
    try {
      await deps.subscriptions.update(wanted, local.etag);
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
    }
  }
  let wrote = false;
  for (const event of events) {
    const result = await applySubscriptionEvent(deps, truth.id, event, { operationId: `${run.runId}:${event.type}` });
    if (result.outcome === 'applied') wrote = true;
  }
  let residual = false;
  await deps.subscriptions.updateWithRetry(truth.id, (current) => {
    const next = recordFromMarketplace(truth, run.at, current);
    residual = driftedFields(current, next).length > 0;
    return residual ? next : undefined;
  });
  return wrote || residual;
}
