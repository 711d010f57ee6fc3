import { AlreadyExistsError } from '../errors';
import type { MarketplaceSubscription, SubscriptionTerm } from '../marketplace';
import { historyKey } from '../storage';
import { applySubscriptionEvent, type ApplyEventDeps, type ApplyEventOutcome } from '../subscription/applyEvent';
import type { SubscriptionEvent, SubscriptionEventType } from '../subscription/events';
import { recordFromMarketplace } from '../subscription/fromMarketplace';
import { isSubscriptionStatus, type SubscriptionRecord, type Term } from '../subscription/model';

/**
 * Out-of-order and repeated webhooks converge on the marketplace's truth: whatever operation is being
 * processed, the local record is brought in line with what Get Subscription says now, through the
 * state machine (applySubscriptionEvent: ETag retry, history rows, ISV events). The events are
 * ordered so that each is legal when it is applied: back to Subscribed first (Reinstate / Activate),
 * then plan, seats and term (only legal while Subscribed), then Suspend or Unsubscribe last.
 */
export function eventsToMatch(local: SubscriptionRecord, truth: MarketplaceSubscription, at: string): SubscriptionEvent[] {
  const target = isSubscriptionStatus(truth.saasSubscriptionStatus) ? truth.saasSubscriptionStatus : undefined;
  if (local.status === 'Unsubscribed') return [];
  if (target === 'Unsubscribed') return [{ type: 'Unsubscribe', at }];
  const events: SubscriptionEvent[] = [];
  if (local.status === 'PendingFulfillmentStart' && (target === 'Subscribed' || target === 'Suspended')) events.push({ type: 'Activate', at });
  if (local.status === 'Suspended' && target === 'Subscribed') events.push({ type: 'Reinstate', at });
  if (truth.planId !== '' && truth.planId !== local.planId) events.push({ type: 'ChangePlan', planId: truth.planId, at });
  if (truth.quantity !== undefined && truth.quantity >= 1 && truth.quantity !== local.quantity) {
    events.push({ type: 'ChangeQuantity', quantity: truth.quantity, at });
  }
  const term = changedTerm(local.term, truth.term);
  if (term !== undefined) events.push({ type: 'Renew', term, at });
  if (target === 'Suspended' && local.status !== 'Suspended') events.push({ type: 'Suspend', at });
  return events;
}

/** The truth's term fields that differ from ours (dates compared as instants), or undefined. */
function changedTerm(local: Term, truth: SubscriptionTerm | undefined): Term | undefined {
  if (truth === undefined) return undefined;
  const differs = (a: string | undefined, b: string | undefined, dates: boolean): boolean =>
    b !== undefined && (a === undefined || (dates ? Date.parse(a) !== Date.parse(b) : a !== b));
  const moved =
    differs(local.termUnit, truth.termUnit, false) || differs(local.startDate, truth.startDate, true) || differs(local.endDate, truth.endDate, true);
  if (!moved) return undefined;
  const term: Term = {};
  if (truth.termUnit !== undefined) term.termUnit = truth.termUnit;
  if (truth.startDate !== undefined) term.startDate = truth.startDate;
  if (truth.endDate !== undefined) term.endDate = truth.endDate;
  return term;
}

/** The event that *is* the operation (its ISV event and history rows carry the operation id as is). */
const PRIMARY_EVENT: Readonly<Record<string, SubscriptionEventType>> = {
  ChangePlan: 'ChangePlan',
  ChangeQuantity: 'ChangeQuantity',
  Renew: 'Renew',
  Suspend: 'Suspend',
  Reinstate: 'Reinstate',
  Unsubscribe: 'Unsubscribe',
  Subscribe: 'Activate',
};

export interface ConvergeOptions {
  operationId: string;
  action: string;
  at: string;
  /** Import a missing record with this status (then converge it) instead of Microsoft's. */
  importAs?: 'PendingFulfillmentStart';
}

export type ConvergeResult =
  | { imported: true; record: SubscriptionRecord }
  | { imported: false; outcomes: ReadonlyArray<{ event: SubscriptionEventType; outcome: ApplyEventOutcome['outcome'] }> };

/**
 * Creates the local record from the marketplace when we have never seen the subscription (nothing
 * to tell the ISV: it never provisioned it through us), otherwise applies `eventsToMatch`. The work
 * key of each event is the operation id for the operation's own event, `<operation id>:<event>` for
 * the others, so a retry after a crash repeats the same ISV event ids and history keys.
 */
export async function convergeSubscription(deps: ApplyEventDeps, truth: MarketplaceSubscription, options: ConvergeOptions): Promise<ConvergeResult> {
  const local = await ensureLocalSubscription(deps, truth, options);
  if (local.imported && options.importAs === undefined) return { imported: true, record: local.record };
  const outcomes: Array<{ event: SubscriptionEventType; outcome: ApplyEventOutcome['outcome'] }> = [];
  for (const event of eventsToMatch(local.record, truth, options.at)) {
    const workKey = PRIMARY_EVENT[options.action] === event.type ? options.operationId : `${options.operationId}:${event.type}`;
    const result = await applySubscriptionEvent(deps, truth.id, event, { operationId: workKey });
    outcomes.push({ event: event.type, outcome: result.outcome });
  }
  return { imported: false, outcomes };
}

/** The local record, created from `truth` (with a history row) when missing. */
export async function ensureLocalSubscription(
  deps: Pick<ApplyEventDeps, 'subscriptions' | 'history'>,
  truth: MarketplaceSubscription,
  options: ConvergeOptions,
): Promise<{ imported: boolean; record: SubscriptionRecord }> {
  const existing = await deps.subscriptions.get(truth.id);
  if (existing !== undefined) return { imported: false, record: existing.value };
  const record = { ...recordFromMarketplace(truth, options.at), ...(options.importAs === undefined ? {} : { status: options.importAs }) };
  try {
    await deps.subscriptions.create(record);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const raced = await deps.subscriptions.get(truth.id);
    if (raced !== undefined) return { imported: false, record: raced.value };
  }
  await deps.history.append({
    subscriptionId: truth.id,
    at: options.at,
    kind: 'ImportedFromMarketplace',
    operationId: options.operationId,
    to: { status: record.status, planId: record.planId, quantity: record.quantity },
    detail: `first seen in a ${options.action} webhook`,
    idempotencyKey: historyKey(options.operationId, 'ImportedFromMarketplace'),
  });
  return { imported: true, record };
}
