import { SUBSCRIPTION_EVENT_TYPES, isSubscriptionEventType, type SubscriptionEventType } from './events';
import { SUBSCRIPTION_STATUSES, isSubscriptionStatus, type SubscriptionStatus } from './model';

/**
 * `apply`: the event takes effect (it may still change nothing, e.g. ChangePlan to the current plan);
 * `noop`: accepted, changes nothing (already there, or an unknown action);
 * `refuse`: not legal in this state.
 */
export type TransitionRule = 'apply' | 'noop' | 'refuse';

/**
 * The lifecycle of marketplace-api.md §5.1 and §5.2 ("only active subscriptions can be updated,
 * suspended or renewed; only suspended ones can be reinstated; cancellation is possible at any
 * point"). Repeating an event that already took effect is a `noop`, never a refusal, because the
 * marketplace retries webhooks. Renew on Suspended is refused: a failed renewal is what suspends a
 * subscription, and a paid renewal arrives as Reinstate.
 */
export const TRANSITION_TABLE: Readonly<Record<SubscriptionStatus, Readonly<Record<SubscriptionEventType, TransitionRule>>>> = {
  PendingFulfillmentStart: {
    Activate: 'apply',
    ChangePlan: 'refuse',
    ChangeQuantity: 'refuse',
    Renew: 'refuse',
    Suspend: 'refuse',
    Reinstate: 'refuse',
    Unsubscribe: 'apply',
    Unknown: 'noop',
  },
  Subscribed: {
    Activate: 'noop',
    ChangePlan: 'apply',
    ChangeQuantity: 'apply',
    Renew: 'apply',
    Suspend: 'apply',
    Reinstate: 'noop',
    Unsubscribe: 'apply',
    Unknown: 'noop',
  },
  Suspended: {
    Activate: 'refuse',
    ChangePlan: 'refuse',
    ChangeQuantity: 'refuse',
    Renew: 'refuse',
    Suspend: 'noop',
    Reinstate: 'apply',
    Unsubscribe: 'apply',
    Unknown: 'noop',
  },
  Unsubscribed: {
    Activate: 'refuse',
    ChangePlan: 'refuse',
    ChangeQuantity: 'refuse',
    Renew: 'refuse',
    Suspend: 'refuse',
    Reinstate: 'refuse',
    Unsubscribe: 'noop',
    Unknown: 'noop',
  },
};

/** The status an applied event leads to; `null` means the status stays as it is. */
export const EVENT_TARGET_STATUS: Readonly<Record<SubscriptionEventType, SubscriptionStatus | null>> = {
  Activate: 'Subscribed',
  ChangePlan: null,
  ChangeQuantity: null,
  Renew: null,
  Suspend: 'Suspended',
  Reinstate: 'Subscribed',
  Unsubscribe: 'Unsubscribed',
  Unknown: null,
};

/** One line per event, for documentation and the admin UI. */
export const EVENT_DESCRIPTIONS: Readonly<Record<SubscriptionEventType, string>> = {
  Activate: 'The publisher activated the subscription after provisioning; billing starts.',
  ChangePlan: 'The plan changed (customer, CSP or publisher); the subscription stays Subscribed.',
  ChangeQuantity: 'The number of seats changed; the subscription stays Subscribed.',
  Renew: 'The term renewed automatically; the term dates move.',
  Suspend: 'Payment was not received; keep the data recoverable for the 30-day grace period.',
  Reinstate: 'Payment was fixed within the grace period; restore access.',
  Unsubscribe: 'The subscription was cancelled (or expired); keep the data at least 7 days. Terminal.',
  Unknown: 'An action this app does not know; recorded by the caller, changes nothing.',
};

/** Whether `eventType` is accepted (applied or a no-op) in `status`. */
export function canTransition(status: SubscriptionStatus, eventType: SubscriptionEventType): boolean {
  if (!isSubscriptionStatus(status) || !isSubscriptionEventType(eventType)) return false;
  return TRANSITION_TABLE[status][eventType] !== 'refuse';
}

function cell(status: SubscriptionStatus, eventType: SubscriptionEventType): string {
  const rule = TRANSITION_TABLE[status][eventType];
  if (rule === 'noop') return 'no-op';
  if (rule === 'refuse') return status === 'Unsubscribed' ? 'refused (Terminal)' : 'refused';
  const target = EVENT_TARGET_STATUS[eventType];
  return target === null ? 'updates' : `→ ${target}`;
}

/** The table above as Markdown (states as rows, events as columns), then the event descriptions. */
export function transitionTableMarkdown(): string {
  const header = `| State | ${SUBSCRIPTION_EVENT_TYPES.join(' | ')} |`;
  const rule = `|---|${SUBSCRIPTION_EVENT_TYPES.map(() => '---').join('|')}|`;
  const rows = SUBSCRIPTION_STATUSES.map(
    (status) => `| ${status} | ${SUBSCRIPTION_EVENT_TYPES.map((type) => cell(status, type)).join(' | ')} |`,
  );
  const descriptions = SUBSCRIPTION_EVENT_TYPES.map((type) => `- **${type}**: ${EVENT_DESCRIPTIONS[type]}`);
  return [header, rule, ...rows, '', ...descriptions].join('\n');
}
