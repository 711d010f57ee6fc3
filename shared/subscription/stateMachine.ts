import { InvalidTransitionError, ValidationError } from '../errors';
import { eventIssues, type SubscriptionEvent } from './events';
import { isSubscriptionStatus, type SubscriptionRecord, type SubscriptionStatus, type Term } from './model';
import { EVENT_TARGET_STATUS, TRANSITION_TABLE } from './transitionTable';

export type { SubscriptionEvent, SubscriptionEventType } from './events';
export { canTransition, EVENT_DESCRIPTIONS, TRANSITION_TABLE, transitionTableMarkdown } from './transitionTable';

/** Customer data is kept at least this long after Unsubscribe (marketplace-api.md §5.2). */
export const RETENTION_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Why an event was not applied. `InvalidTransition`: not legal in the current state (or the record's
 * status is unknown); `Terminal`: the subscription is Unsubscribed; `InvalidEvent`: the event itself is
 * malformed (`issues` says how).
 */
export type RefusalCode = 'InvalidTransition' | 'Terminal' | 'InvalidEvent';

export interface Refusal {
  code: RefusalCode;
  message: string;
  status: string;
  eventType: string;
  issues?: readonly string[];
}

/** One field the event changed, for audit history and logs. */
export type SubscriptionChange =
  | { field: 'status'; from: SubscriptionStatus; to: SubscriptionStatus }
  | { field: 'planId'; from: string; to: string }
  | { field: 'quantity'; from: number | undefined; to: number }
  | { field: 'term'; from: Term; to: Term }
  | { field: 'retainUntil'; from: string | undefined; to: string };

export interface TransitionApplied {
  ok: true;
  /** The new record; the very same object as the input when nothing changed. */
  record: SubscriptionRecord;
  changed: boolean;
  changes: readonly SubscriptionChange[];
}

export interface TransitionRefused {
  ok: false;
  refusal: Refusal;
}

export type TransitionResult = TransitionApplied | TransitionRefused;

function refuse(code: RefusalCode, message: string, record: SubscriptionRecord, event: SubscriptionEvent, issues?: string[]): TransitionRefused {
  const refusal: Refusal = { code, message, status: String(record.status), eventType: String(event.type) };
  if (issues !== undefined) refusal.issues = issues;
  return { ok: false, refusal };
}

function unchanged(record: SubscriptionRecord): TransitionApplied {
  return { ok: true, record, changed: false, changes: [] };
}

/** `base` with the defined fields of `update`; a key set to `undefined` keeps the current value. */
function mergeTerm(base: Term, update: Term): Term {
  const defined = Object.entries(update).filter(([, value]) => value !== undefined);
  return { ...base, ...(Object.fromEntries(defined) as Term) };
}

function sameTerm(a: Term, b: Term): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof Term>);
  return [...keys].every((key) => a[key] === b[key]);
}

function retainUntil(at: string): string {
  return new Date(Date.parse(at) + RETENTION_DAYS * DAY_MS).toISOString();
}

/**
 * When this app applied the cancellation of an Unsubscribed record (`retainUntil` is set from it),
 * or undefined for any other status. It is at or just after Microsoft's own cancellation time.
 */
export function cancelledAt(record: Pick<SubscriptionRecord, 'status' | 'retainUntil'>): string | undefined {
  if (record.status !== 'Unsubscribed' || record.retainUntil === undefined) return undefined;
  const at = Date.parse(record.retainUntil) - RETENTION_DAYS * DAY_MS;
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** The field changes `event` makes to `record` (empty when it would change nothing). */
function changesFor(record: SubscriptionRecord, event: SubscriptionEvent): SubscriptionChange[] {
  const changes: SubscriptionChange[] = [];
  const target = EVENT_TARGET_STATUS[event.type];
  if (target !== null && target !== record.status) changes.push({ field: 'status', from: record.status, to: target });
  switch (event.type) {
    case 'ChangePlan':
      if (event.planId !== record.planId) changes.push({ field: 'planId', from: record.planId, to: event.planId });
      break;
    case 'ChangeQuantity':
      if (event.quantity !== record.quantity) changes.push({ field: 'quantity', from: record.quantity, to: event.quantity });
      break;
    case 'Renew':
    case 'Activate': {
      if (event.term === undefined) break;
      const term = mergeTerm(record.term, event.term);
      if (!sameTerm(term, record.term)) changes.push({ field: 'term', from: record.term, to: term });
      break;
    }
    case 'Unsubscribe':
      if (changes.length > 0) changes.push({ field: 'retainUntil', from: record.retainUntil, to: retainUntil(event.at) });
      break;
    default:
      break;
  }
  return changes;
}

function applyChanges(record: SubscriptionRecord, changes: readonly SubscriptionChange[], at: string): SubscriptionRecord {
  const next: SubscriptionRecord = { ...record, updatedAt: at };
  for (const change of changes) {
    if (change.field === 'status') next.status = change.to;
    else if (change.field === 'planId') next.planId = change.to;
    else if (change.field === 'quantity') next.quantity = change.to;
    else if (change.field === 'term') next.term = change.to;
    else next.retainUntil = change.to;
  }
  return next;
}

/**
 * Applies `event` to `record` without mutating it; pure (no clock, no I/O). Idempotent: applying the
 * same event to the result changes nothing more. `updatedAt` becomes `event.at` only when something
 * changed. See TRANSITION_TABLE for what is legal where; illegal events give a typed refusal.
 */
export function transition(record: SubscriptionRecord, event: SubscriptionEvent): TransitionResult {
  if (!isSubscriptionStatus(record.status)) {
    return refuse('InvalidTransition', `Subscription status "${String(record.status)}" is not one this app knows`, record, event);
  }
  const issues = eventIssues(event);
  if (issues.length > 0) return refuse('InvalidEvent', `The ${String(event.type)} event is malformed`, record, event, issues);

  const rule = TRANSITION_TABLE[record.status][event.type];
  if (rule === 'refuse') {
    return record.status === 'Unsubscribed'
      ? refuse('Terminal', `Subscription is Unsubscribed; ${event.type} cannot apply to it`, record, event)
      : refuse('InvalidTransition', `${event.type} is not allowed while the subscription is ${record.status}`, record, event);
  }
  if (rule === 'noop') return unchanged(record);

  const changes = changesFor(record, event);
  if (changes.length === 0) return unchanged(record);
  return { ok: true, record: applyChanges(record, changes, event.at), changed: true, changes };
}

/**
 * `transition` for callers that prefer exceptions: throws ValidationError for a malformed event and
 * InvalidTransitionError (code `InvalidTransition`) for an illegal or terminal one.
 */
export function transitionOrThrow(record: SubscriptionRecord, event: SubscriptionEvent): TransitionApplied {
  const result = transition(record, event);
  if (result.ok) return result;
  const { refusal } = result;
  const details = { subscriptionId: record.id, status: refusal.status, eventType: refusal.eventType, refusal: refusal.code };
  if (refusal.code === 'InvalidEvent') throw new ValidationError(refusal.message, refusal.issues ?? [], { details });
  throw new InvalidTransitionError(refusal.message, { details });
}
