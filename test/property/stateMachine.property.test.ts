import fc from 'fast-check';
import { eventIssues } from '../../shared/subscription/events';
import { SUBSCRIPTION_STATUSES, type SubscriptionRecord } from '../../shared/subscription/model';
import { RETENTION_DAYS, canTransition, transition } from '../../shared/subscription/stateMachine';
import { anyEvent, isoInstant, subscriptionRecord, validEvent } from './subscriptionArbitraries';

const REFUSAL_CODES = ['InvalidTransition', 'Terminal', 'InvalidEvent'];

function unsubscribed(record: SubscriptionRecord, at: string): SubscriptionRecord {
  const result = transition(record, { type: 'Unsubscribe', at });
  if (!result.ok) throw new Error(`Unsubscribe was refused: ${result.refusal.message}`);
  return result.record;
}

describe('subscription state machine properties', () => {
  it('keeps every record legal through any sequence of events, and reports each step truthfully', () => {
    fc.assert(
      fc.property(subscriptionRecord, fc.array(anyEvent, { maxLength: 25 }), (start, events) => {
        // Prepare
        let record = start;
        for (const event of events) {
          // Act
          const result = transition(record, event);

          // Assess
          if (!result.ok) {
            expect(REFUSAL_CODES).toContain(result.refusal.code);
            continue;
          }
          expect(SUBSCRIPTION_STATUSES).toContain(result.record.status);
          const { quantity } = result.record;
          expect(quantity === undefined || (Number.isSafeInteger(quantity) && quantity > 0)).toBe(true);
          if (result.changed) {
            expect(result.changes.length).toBeGreaterThan(0);
            expect(result.record.updatedAt).toBe(event.at);
          } else {
            expect(result.changes).toEqual([]);
            expect(result.record).toBe(record);
          }
          record = result.record;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same record when an event is applied twice as when it is applied once', () => {
    fc.assert(
      fc.property(subscriptionRecord, anyEvent, (record, event) => {
        // Prepare
        const once = transition(record, event);
        fc.pre(once.ok);

        // Act
        const twice = transition(once.record, event);

        // Assess
        expect(twice).toEqual({ ok: true, record: once.record, changed: false, changes: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('changes nothing once a subscription is Unsubscribed, whatever follows', () => {
    fc.assert(
      fc.property(subscriptionRecord, isoInstant, fc.array(anyEvent, { minLength: 1, maxLength: 15 }), (start, at, events) => {
        // Prepare
        const terminal = unsubscribed(start, at);
        const snapshot = structuredClone(terminal);
        let record = terminal;

        for (const event of events) {
          // Act
          const result = transition(record, event);

          // Assess
          if (result.ok) {
            expect(result.changed).toBe(false);
            record = result.record;
          } else {
            expect(['Terminal', 'InvalidEvent']).toContain(result.refusal.code);
          }
        }
        expect(record).toBe(terminal);
        expect(terminal).toEqual(snapshot);
      }),
    );
  });

  it('refuses a well-formed event exactly when canTransition says it is not allowed', () => {
    fc.assert(
      fc.property(subscriptionRecord, validEvent, (record, event) => {
        // Prepare
        expect(eventIssues(event)).toEqual([]);

        // Act
        const result = transition(record, event);

        // Assess
        expect(result.ok).toBe(canTransition(record.status, event.type));
      }),
      { numRuns: 500 },
    );
  });

  it(`keeps the data at least ${RETENTION_DAYS} days after the Unsubscribe`, () => {
    fc.assert(
      fc.property(subscriptionRecord, isoInstant, (record, at) => {
        // Prepare
        fc.pre(record.status !== 'Unsubscribed');

        // Act
        const result = unsubscribed(record, at);

        // Assess
        const kept = Date.parse(result.retainUntil ?? '') - Date.parse(at);
        expect(kept).toBeGreaterThanOrEqual(RETENTION_DAYS * 24 * 60 * 60 * 1000);
      }),
    );
  });

  it('never mutates the record it is given', () => {
    fc.assert(
      fc.property(subscriptionRecord, anyEvent, (record, event) => {
        // Prepare
        const before = structuredClone(record);

        // Act
        transition(record, event);

        // Assess
        expect(record).toEqual(before);
      }),
    );
  });
});
