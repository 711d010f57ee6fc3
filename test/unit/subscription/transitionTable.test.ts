import { SUBSCRIPTION_EVENT_TYPES, type SubscriptionEventType } from '../../../shared/subscription/events';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../../shared/subscription/model';
import {
  EVENT_DESCRIPTIONS,
  TRANSITION_TABLE,
  canTransition,
  transitionTableMarkdown,
} from '../../../shared/subscription/transitionTable';

const ALL_CELLS = SUBSCRIPTION_STATUSES.flatMap((status) => SUBSCRIPTION_EVENT_TYPES.map((type) => [status, type] as const));

describe('canTransition', () => {
  it.each<[SubscriptionStatus, SubscriptionEventType, boolean]>([
    ['PendingFulfillmentStart', 'Activate', true],
    ['PendingFulfillmentStart', 'ChangePlan', false],
    ['PendingFulfillmentStart', 'Unsubscribe', true],
    ['Subscribed', 'Activate', true],
    ['Subscribed', 'Renew', true],
    ['Subscribed', 'Reinstate', true],
    ['Suspended', 'Renew', false],
    ['Suspended', 'ChangeQuantity', false],
    ['Suspended', 'Reinstate', true],
    ['Unsubscribed', 'Activate', false],
    ['Unsubscribed', 'Unsubscribe', true],
    ['Unsubscribed', 'Unknown', true],
  ])('answers %s + %s with %s', (status, type, expected) => {
    // Prepare, Act
    const allowed = canTransition(status, type);

    // Assess
    expect(allowed).toBe(expected);
  });

  it.each(ALL_CELLS)('agrees with the table for %s + %s', (status, type) => {
    // Prepare, Act
    const allowed = canTransition(status, type);

    // Assess
    expect(allowed).toBe(TRANSITION_TABLE[status][type] !== 'refuse');
  });

  it.each([
    ['an unknown status', 'NotStarted', 'Activate'],
    ['an unknown event', 'Subscribed', 'Transfer'],
  ])('answers false for %s', (_name, status, type) => {
    // Prepare, Act
    const allowed = canTransition(status as SubscriptionStatus, type as SubscriptionEventType);

    // Assess
    expect(allowed).toBe(false);
  });
});

describe('transitionTableMarkdown', () => {
  it('renders one row per state with the outcome of every event', () => {
    // Prepare, Act
    const lines = transitionTableMarkdown().split('\n');

    // Assess
    expect(lines.slice(0, 6)).toEqual([
      '| State | Activate | ChangePlan | ChangeQuantity | Renew | Suspend | Reinstate | Unsubscribe | Unknown |',
      '|---|---|---|---|---|---|---|---|---|',
      '| PendingFulfillmentStart | → Subscribed | refused | refused | refused | refused | refused | → Unsubscribed | no-op |',
      '| Subscribed | no-op | updates | updates | updates | → Suspended | no-op | → Unsubscribed | no-op |',
      '| Suspended | refused | refused | refused | refused | no-op | → Subscribed | → Unsubscribed | no-op |',
      '| Unsubscribed | refused (Terminal) | refused (Terminal) | refused (Terminal) | refused (Terminal) | refused (Terminal) | refused (Terminal) | no-op | no-op |',
    ]);
  });

  it('lists a description for every event', () => {
    // Prepare, Act
    const markdown = transitionTableMarkdown();

    // Assess
    for (const type of SUBSCRIPTION_EVENT_TYPES) expect(markdown).toContain(`- **${type}**: ${EVENT_DESCRIPTIONS[type]}`);
  });
});
