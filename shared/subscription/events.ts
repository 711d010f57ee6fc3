import type { Term } from './model';

/**
 * What can happen to a subscription (marketplace-api.md §4.2, §5.1). Every event carries `at`, the
 * ISO-8601 instant it happened (the webhook `timeStamp`, or the caller's clock), and everything else
 * the state machine needs, so that applying it reads no clock and does no I/O.
 */
export const SUBSCRIPTION_EVENT_TYPES = [
  'Activate',
  'ChangePlan',
  'ChangeQuantity',
  'Renew',
  'Suspend',
  'Reinstate',
  'Unsubscribe',
  'Unknown',
] as const;
export type SubscriptionEventType = (typeof SUBSCRIPTION_EVENT_TYPES)[number];

interface EventBase {
  /** ISO-8601 date-time with a zone (`Z` or `±hh:mm`). */
  at: string;
}

export interface ActivateEvent extends EventBase {
  type: 'Activate';
  /** The term Microsoft set when billing started (Get Subscription after Activate), if known. */
  term?: Term;
}
export interface ChangePlanEvent extends EventBase {
  type: 'ChangePlan';
  /** The new plan. */
  planId: string;
}
export interface ChangeQuantityEvent extends EventBase {
  type: 'ChangeQuantity';
  /** The new number of seats: a positive integer. */
  quantity: number;
}
export interface RenewEvent extends EventBase {
  type: 'Renew';
  /** The new term; fields left out keep their current value. */
  term: Term;
}
export interface SuspendEvent extends EventBase {
  type: 'Suspend';
}
export interface ReinstateEvent extends EventBase {
  type: 'Reinstate';
}
export interface UnsubscribeEvent extends EventBase {
  type: 'Unsubscribe';
}
/** An action this app does not know (e.g. a newly documented one). Accepted and changes nothing. */
export interface UnknownEvent extends EventBase {
  type: 'Unknown';
  action: string;
}

export type SubscriptionEvent =
  | ActivateEvent
  | ChangePlanEvent
  | ChangeQuantityEvent
  | RenewEvent
  | SuspendEvent
  | ReinstateEvent
  | UnsubscribeEvent
  | UnknownEvent;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function isIsoDateTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

export function isSubscriptionEventType(value: unknown): value is SubscriptionEventType {
  return typeof value === 'string' && (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(value);
}

const TERM_FIELDS = ['termUnit', 'startDate', 'endDate'] as const;

function termIssues(term: unknown): string[] {
  if (typeof term !== 'object' || term === null || Array.isArray(term)) return ['term: must be an object'];
  const record = term as Record<string, unknown>;
  const issues = TERM_FIELDS.filter((field) => record[field] !== undefined && typeof record[field] !== 'string').map(
    (field) => `term.${field}: must be a string when present`,
  );
  const duration = record.chargeDuration;
  if (duration !== undefined && duration !== null && typeof duration !== 'string') {
    issues.push('term.chargeDuration: must be a string or null when present');
  }
  return issues;
}

/**
 * What is wrong with the event itself, whatever the subscription's state; empty when well-formed.
 * Checked at run time because events are built from webhook payloads and queue messages.
 */
export function eventIssues(event: SubscriptionEvent): string[] {
  const issues: string[] = isIsoDateTime(event.at) ? [] : ['at: must be an ISO-8601 date-time with a zone'];
  switch (event.type) {
    case 'ChangePlan':
      if (typeof event.planId !== 'string' || event.planId.trim() === '') issues.push('planId: must be a non-empty string');
      break;
    case 'ChangeQuantity':
      if (!Number.isSafeInteger(event.quantity) || event.quantity < 1) issues.push('quantity: must be a positive integer');
      break;
    case 'Renew':
      issues.push(...termIssues(event.term));
      break;
    case 'Unknown':
      if (typeof event.action !== 'string') issues.push('action: must be a string');
      break;
    case 'Activate':
      if (event.term !== undefined) issues.push(...termIssues(event.term));
      break;
    case 'Suspend':
    case 'Reinstate':
    case 'Unsubscribe':
      break;
    default:
      issues.push(`type: must be one of ${SUBSCRIPTION_EVENT_TYPES.join(', ')}`);
  }
  return issues;
}
