import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
import type { MarketplaceSubscription, SubscriptionTerm } from '../marketplace';
import { historyKey, type HistoryEntry } from '../storage';
import { applySubscriptionEvent, changeHistory, notifyIsv, type ApplyEventDeps, type ApplyEventOutcome } from '../subscription/applyEvent';
import type { SubscriptionEvent, SubscriptionEventType } from '../subscription/events';
import { recordFromMarketplace, withKnownSeats } from '../subscription/fromMarketplace';
import { isSubscriptionStatus, withAppliedOperation, type SubscriptionRecord, type Term, type Versioned } from '../subscription/model';
import { transition, type SubscriptionChange } from '../subscription/stateMachine';
import type { HeldLease } from './subscriptionLease';
import { driftedFields, pickFields } from '../reconciliation/driftedFields';

/**
 * Out-of-order and repeated webhooks converge on the marketplace's truth: whatever operation is being
 * processed, the local record is brought in line with what Get Subscription says now, through the
 * state machine (applySubscriptionEvent: ETag retry, history rows, ISV events). The events are
 * ordered so that each is legal when it is applied: back to Subscribed first (Reinstate / Activate,
 * which carries the term Microsoft set), then plan, seats and term (only legal while Subscribed),
 * then Suspend or Unsubscribe last. Reaching Unsubscribed does not skip the rest: a plan change that
 * preceded the cancellation is still a plan change. An Unsubscribed record gets no events (terminal).
 */
export function eventsToMatch(local: SubscriptionRecord, truth: MarketplaceSubscription, at: string): SubscriptionEvent[] {
  const target = isSubscriptionStatus(truth.saasSubscriptionStatus) ? truth.saasSubscriptionStatus : undefined;
  if (local.status === 'Unsubscribed') return [];
  const events: SubscriptionEvent[] = [];
  const term = changedTerm(local.term, truth.term);
  const activating = local.status === 'PendingFulfillmentStart' && (target === 'Subscribed' || target === 'Suspended');
  if (activating) events.push({ type: 'Activate', at, ...(term === undefined ? {} : { term }) });
  if (local.status === 'Suspended' && target === 'Subscribed') events.push({ type: 'Reinstate', at });
  if (truth.planId !== '' && truth.planId !== local.planId) events.push({ type: 'ChangePlan', planId: truth.planId, at });
  if (truth.quantity !== undefined && truth.quantity >= 1 && truth.quantity !== local.quantity) {
    events.push({ type: 'ChangeQuantity', quantity: truth.quantity, at });
  }
  if (term !== undefined && !activating) events.push({ type: 'Renew', term, at });
  if (target === 'Suspended' && local.status !== 'Suspended') events.push({ type: 'Suspend', at });
  if (target === 'Unsubscribed') events.push({ type: 'Unsubscribe', at });
  return events;
}

/**
 * The events of `eventsToMatch` that the state machine accepts in sequence (a plan drift while
 * Suspended is not a plan change the ISV could act on). A term without dates locally (never
 * activated through us) is filled in, not renewed. What is left out is corrected by
 * `alignRemainingFields`, without events.
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
  Activate: 'Activate',
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
  /** What the operation itself asked for, when known: its event keeps the bare operation id only for this value. */
  target?: { planId?: string; quantity?: number };
  /**
   * History kind of the row that records fields brought in line without an event (default
   * `Converged`); `false` when the caller writes its own row (reconciliation's `Drift`).
   */
  correctionKind?: string | false;
}

export type ConvergeOutcomes = ReadonlyArray<{ event: SubscriptionEventType; outcome: ApplyEventOutcome['outcome'] }>;

export type ConvergeResult =
  | { imported: true; record: SubscriptionRecord }
  | { imported: false; outcomes: ConvergeOutcomes; corrected: readonly string[]; before: SubscriptionRecord; record: SubscriptionRecord };

/** What a ChangePlan / ChangeQuantity operation asked for (`ConvergeOptions.target`); empty for other actions. */
export function operationTarget(action: string, planId: string | undefined, quantity: number | undefined): NonNullable<ConvergeOptions['target']> {
  if (action === 'ChangePlan' && planId !== undefined) return { planId };
  if (action === 'ChangeQuantity' && quantity !== undefined) return { quantity };
  return {};
}

/**
 * The work key of one event: the operation id for the operation's own event with the value it asked
 * for (so the webhook and the publisher-change tracker key the same change alike), otherwise
 * `<operation id>:<event>` plus the value the event sets, so that a retry after a crash repeats the
 * same ISV event ids and history keys, and a different value (Microsoft moved on) is a different piece
 * of work that is neither swallowed by the idempotency keys nor mistaken for the earlier one.
 */
export function eventWorkKey(event: SubscriptionEvent, options: Pick<ConvergeOptions, 'operationId' | 'action' | 'target'>): string {
  const value = eventValue(event);
  const asked = event.type === 'ChangePlan' ? options.target?.planId : event.type === 'ChangeQuantity' ? options.target?.quantity : undefined;
  if (PRIMARY_EVENT[options.action] === event.type && (asked === undefined || String(asked) === value)) return options.operationId;
  return value === undefined ? `${options.operationId}:${event.type}` : `${options.operationId}:${event.type}=${value}`;
}

function eventValue(event: SubscriptionEvent): string | undefined {
  if (event.type === 'ChangePlan') return event.planId;
  if (event.type === 'ChangeQuantity') return String(event.quantity);
  if (event.type === 'Renew') return event.term.startDate ?? event.term.endDate;
  return undefined;
}

/** What a caller holding the subscription's lease already has. */
export interface ConvergeHeld {
  /** The stored record as read under the lease (saves reading it again). */
  known?: Versioned<SubscriptionRecord>;
  /** The lease: the record's one write releases it in the same transaction. */
  lease?: HeldLease;
}

/**
 * Creates the local record from the marketplace when we have never seen the subscription (nothing
 * to tell the ISV: it never provisioned it through us), otherwise moves it to `truth`: the lifecycle
 * events (see eventsToMatch, eventWorkKey) and what the state machine does not move (plan, seats or
 * term of an Unsubscribed or Suspended record, a term filled in, auto-renew, name, flags).
 * Afterwards the Microsoft-owned fields of the record equal `truth`'s. Callers must hold the
 * subscription's lease and have read `truth` while holding it (convergeOnLatestState), so that no
 * older reading is written over a newer one.
 *
 * The whole move is one ETag-conditional write of the record (releasing the lease with it when
 * `held.lease` is given), after the history rows are written and the ISV has been told (see
 * convergeInOneWrite). Should the record have changed since it was read, the events are applied one
 * by one on what is stored then (applySubscriptionEvent, alignRemainingFields), with the same ISV
 * event ids and history keys.
 */
export async function convergeSubscription(deps: ApplyEventDeps, reading: MarketplaceSubscription, options: ConvergeOptions, held: ConvergeHeld = {}): Promise<ConvergeResult> {
  const local = held.known === undefined ? await ensureLocalSubscription(deps, reading, options) : { imported: false, record: held.known.value, etag: held.known.etag };
  if (local.imported && options.importAs === undefined) return { imported: true, record: local.record };
  const truth = withKnownSeats(reading, local.record);
  if (local.etag !== undefined) {
    const once = await convergeInOneWrite(deps, truth, options, { value: local.record, etag: local.etag }, held.lease);
    if (once !== undefined) return once;
  }
  const outcomes: Array<{ event: SubscriptionEventType; outcome: ApplyEventOutcome['outcome'] }> = [];
  let record = local.record;
  for (const event of lifecycleEvents(local.record, truth, options.at)) {
    const result = await applySubscriptionEvent(deps, truth.id, event, { operationId: eventWorkKey(event, options) });
    outcomes.push({ event: event.type, outcome: result.outcome });
    record = result.record;
  }
  const aligned = await alignRemainingFields(deps, truth, { value: record }, options);
  return { imported: false, outcomes, corrected: aligned.fields, before: local.record, record: aligned.record };
}

/**
 * The record moved to `truth` in one write: every accepted event and the remaining fields are
 * computed in memory from `local`; the history rows are appended (each with its idempotency key),
 * the ISV is told of each event (ids stable across retries), and only then is the record written,
 * ETag-conditionally. A crash before the write leaves the record as it was: the retry computes the
 * same events, finds the history rows already there (nothing is written twice), tells the ISV with
 * the same ids and writes the record. No history row can be lost, because none is written after
 * the record. Undefined when the record changed since `local` was read (nothing written to it).
 */
async function convergeInOneWrite(
  deps: ApplyEventDeps,
  truth: MarketplaceSubscription,
  options: ConvergeOptions,
  local: Versioned<SubscriptionRecord>,
  lease: HeldLease | undefined,
): Promise<ConvergeResult | undefined> {
  const steps: Array<{ event: SubscriptionEvent; record: SubscriptionRecord; changes: readonly SubscriptionChange[] }> = [];
  let record = local.value;
  for (const event of lifecycleEvents(local.value, truth, options.at)) {
    const result = transition(record, event);
    if (!result.ok) continue;
    steps.push({ event, record: result.record, changes: result.changed ? result.changes : [] });
    record = result.record;
  }
  const aligned = { ...recordFromMarketplace(truth, options.at, record), status: record.status };
  const fields = driftedFields(record, aligned);
  const outcomes = steps.map((step) => ({ event: step.event.type, outcome: step.changes.length > 0 ? ('applied' as const) : ('unchanged' as const) }));
  if (fields.length === 0 && steps.every((step) => step.changes.length === 0)) return { imported: false, outcomes, corrected: [], before: local.value, record: local.value };
  // The operation is remembered with the change it made (see SubscriptionRecord.appliedOperations).
  const next = { ...(fields.length > 0 ? aligned : record), appliedOperations: withAppliedOperation(local.value.appliedOperations, options.operationId) };
  const changing = steps.filter((step) => step.changes.length > 0).map((step) => ({ ...step, workKey: eventWorkKey(step.event, options) }));
  const entries = changing.flatMap((step) => changeHistory(truth.id, step.event, step.changes, step.workKey, step.workKey));
  if (fields.length > 0 && options.correctionKind !== false) entries.push(correctionEntry(truth.id, record, next, fields, options));
  for (const entry of entries) await deps.history.append(entry);
  // Told last, right before the write: a failure in between makes the retry tell the ISV again (same id).
  for (const step of changing) await notifyIsv(deps, truth.id, step.event, step, step.workKey, step.workKey);
  const write = (releaseLease: boolean) => deps.subscriptions.update(next, local.etag, { releaseLease });
  let saved: Versioned<SubscriptionRecord>;
  try {
    saved = lease === undefined ? await write(false) : await lease.releaseWith(write);
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) return undefined;
    throw error;
  }
  const changed = steps.flatMap((step) => step.changes.map((change) => change.field));
  deps.logger.info('subscription converged on the marketplace', { changes: changed, fields });
  return { imported: false, outcomes, corrected: fields, before: local.value, record: saved.value };
}

/** The history row of fields brought in line without an event (`Converged`, or the caller's kind). */
function correctionEntry(
  subscriptionId: string,
  before: SubscriptionRecord,
  after: SubscriptionRecord,
  fields: string[],
  options: Pick<ConvergeOptions, 'operationId' | 'at' | 'correctionKind'>,
): HistoryEntry {
  const kind = options.correctionKind === undefined || options.correctionKind === false ? 'Converged' : options.correctionKind;
  return {
    subscriptionId,
    at: options.at,
    kind,
    operationId: options.operationId,
    from: pickFields(before, fields),
    to: pickFields(after, fields),
    detail: `${fields.join(', ')} brought in line with the marketplace`,
    idempotencyKey: historyKey(`${options.operationId}:${fields.join(',')}`, kind),
  };
}

/**
 * Writes the Microsoft-owned fields that still differ from `truth` (ETag-conditional: with `known`'s
 * ETag when it is current, else read-modify-write with retries) and records them in one history row.
 * The status is never written here: status changes are the state machine's alone (an Unsubscribed
 * record stays Unsubscribed whatever a reading says).
 */
export async function alignRemainingFields(
  deps: Pick<ApplyEventDeps, 'subscriptions' | 'history' | 'logger'>,
  truth: MarketplaceSubscription,
  known: { value: SubscriptionRecord; etag?: string },
  options: Pick<ConvergeOptions, 'operationId' | 'at' | 'correctionKind'>,
): Promise<{ fields: string[]; record: SubscriptionRecord }> {
  const aligned = (current: SubscriptionRecord): SubscriptionRecord => {
    const next = recordFromMarketplace(truth, options.at, current);
    return { ...next, status: current.status };
  };
  if (driftedFields(known.value, aligned(known.value)).length === 0) return { fields: [], record: known.value };
  let before = known.value;
  let fields: string[] = [];
  const mutate = (current: SubscriptionRecord): SubscriptionRecord | undefined => {
    const next = aligned(current);
    before = current;
    fields = driftedFields(current, next);
    return fields.length === 0 ? undefined : next;
  };
  let saved: SubscriptionRecord | undefined;
  if (known.etag !== undefined) {
    const next = mutate(known.value);
    try {
      if (next !== undefined) saved = (await deps.subscriptions.update(next, known.etag)).value;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
    }
  }
  saved ??= (await deps.subscriptions.updateWithRetry(truth.id, mutate)).value;
  if (fields.length > 0 && options.correctionKind !== false) {
    await deps.history.append(correctionEntry(truth.id, before, saved, fields, options));
    deps.logger.info('subscription fields brought in line with the marketplace', { fields });
  }
  return { fields, record: saved };
}

/** The local record, created from `truth` (with a history row) when missing. */
export async function ensureLocalSubscription(
  deps: Pick<ApplyEventDeps, 'subscriptions' | 'history'>,
  truth: MarketplaceSubscription,
  options: ConvergeOptions,
): Promise<{ imported: boolean; record: SubscriptionRecord; etag?: string }> {
  const existing = await deps.subscriptions.get(truth.id);
  if (existing !== undefined) return { imported: false, record: existing.value, etag: existing.etag };
  const record = { ...recordFromMarketplace(truth, options.at), ...(options.importAs === undefined ? {} : { status: options.importAs }) };
  let created: Versioned<SubscriptionRecord> | undefined;
  try {
    created = await deps.subscriptions.create(record);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const raced = await deps.subscriptions.get(truth.id);
    if (raced !== undefined) return { imported: false, record: raced.value, etag: raced.etag };
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
  return created === undefined ? { imported: true, record } : { imported: true, record, etag: created.etag };
}
