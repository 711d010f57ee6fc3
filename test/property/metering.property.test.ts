import fc from 'fast-check';
import { DependencyUnavailableError } from '../../shared/errors';
import { hourIso } from '../../shared/metering/hours';
import type { RecordResult } from '../../shared/metering/ingestUsage';
import { isFinalState } from '../../shared/metering/model';
import type { UsageStore } from '../../shared/metering/usageStore';
import { bucketId } from '../../shared/metering/usageKeys';
import { OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID } from '../unit/metering/support/builders';
import { CLAIM_TIMEOUT_MS, meteringRig } from '../unit/metering/support/rig';

/**
 * For any interleaving of ingestion requests, emission runs (some crashing half-way, some meeting
 * a failed or half-failed Marketplace call), and the clock moving on: every hour's emitted total
 * equals the sum of the records acknowledged as billable, late records are reported as unbilled,
 * and no hour is ever sent with two different totals or billed twice.
 */
const recordArb = fc.record({
  id: fc.integer({ min: 0, max: 40 }).map((n) => `r${n}`),
  subscriptionId: fc.constantFrom(SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID),
  dimension: fc.constantFrom('api-calls', 'storage-gb'),
  /** How long before "now" (at the time the request runs) the usage happened. */
  ageMinutes: fc.integer({ min: 0, max: 180 }),
  /** Multiples of 0.25: sums are exact in binary floating point. */
  quantity: fc.integer({ min: 1, max: 20 }).map((n) => n / 4),
});

const actionArb = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('ingest' as const), records: fc.array(recordArb, { minLength: 1, maxLength: 6 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('emit' as const), crashAfterSteps: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 50 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('marketplaceFails' as const), when: fc.constantFrom('before' as const, 'after' as const) }), weight: 1 },
);

/** A view of `store` that throws (like a killed host) after `steps` storage calls. */
function crashingAfter(store: UsageStore, steps: number): UsageStore {
  let left = steps;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        left -= 1;
        if (left < 0) return Promise.reject(new Error('host killed'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('usage metering (property)', () => {
  it('emits every hour exactly once with the total of its billable records, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(actionArb, { minLength: 1, maxLength: 14 }), async (s, actions) => {
        // Prepare
        let interleaving = true;
        const gate = (): Promise<void> => (interleaving ? s.schedule(Promise.resolve()) : Promise.resolve());
        const rig = await meteringRig({ now: '2025-03-10T10:20:00.000Z', gate });
        const marketplace = {
          postBatchUsageEvents: async (events: Parameters<typeof rig.metering.postBatchUsageEvents>[0]) => {
            await gate();
            return rig.metering.postBatchUsageEvents(events);
          },
        };
        const acknowledged: Array<{ bucket: string; id: string; quantity: number; result: RecordResult }> = [];

        const run = async (action: (typeof actions)[number]): Promise<void> => {
          if (action.kind === 'advance') rig.clock.advance(action.minutes * 60_000);
          if (action.kind === 'marketplaceFails') rig.metering.failNext(action.when);
          if (action.kind === 'emit') {
            const usage = action.crashAfterSteps === undefined ? rig.usage : crashingAfter(rig.usage, action.crashAfterSteps);
            await rig.emit({ usage, marketplace }).catch((error: Error) => {
              if (error.message !== 'host killed') throw error;
            });
          }
          if (action.kind === 'ingest') {
            const now = rig.clock.now().getTime();
            const wire = action.records.map((r) => ({ id: r.id, subscriptionId: r.subscriptionId, dimension: r.dimension, quantity: r.quantity, timestamp: new Date(now - r.ageMinutes * 60_000).toISOString() }));
            // A product retries a failed request with the same ids until it gets an answer.
            for (;;) {
              try {
                const report = await rig.ingestion.ingest(wire);
                report.results.forEach((result, i) => {
                  const r = wire[i]!;
                  acknowledged.push({ bucket: bucketId({ subscriptionId: r.subscriptionId, dimension: r.dimension, hour: hourIso(Date.parse(r.timestamp)) }), id: r.id, quantity: r.quantity, result });
                });
                return;
              } catch (error) {
                if (!(error instanceof DependencyUnavailableError)) throw error;
              }
            }
          }
        };

        // Act
        await s.waitFor(Promise.all(actions.map((action) => s.schedule(Promise.resolve()).then(() => run(action)))));
        interleaving = false;
        rig.metering.clearFailures();
        for (let settle = 0; settle < 4; settle += 1) {
          rig.clock.advance(CLAIM_TIMEOUT_MS + 2 * 3_600_000);
          await rig.emit({ marketplace });
        }

        // Assess
        expect((await rig.usage.listPending({ throughHour: '2030-01-01T00:00:00.000Z' })).items).toEqual([]);
        const billable = new Map<string, Map<string, number>>();
        const unbilled = new Map<string, Map<string, number>>();
        for (const { bucket, id, quantity, result } of acknowledged) {
          const code = result.reason?.code;
          const isBillable = result.status === 'accepted' || (result.status === 'duplicate' && code === 'already-recorded');
          const isUnbilled = result.status === 'unbilled' || (result.status === 'duplicate' && code === 'already-recorded-unbilled');
          const target = isBillable ? billable : isUnbilled ? unbilled : undefined;
          if (target === undefined) continue;
          const ids = target.get(bucket) ?? new Map<string, number>();
          ids.set(id, quantity);
          target.set(bucket, ids);
        }
        const total = (ids: Map<string, number> | undefined): number => [...(ids?.values() ?? [])].reduce((a, b) => a + b, 0);

        let billedBuckets = 0;
        for (const subscriptionId of [SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID]) {
          for (const { value: bucket } of (await rig.usage.listBuckets(subscriptionId, { pageSize: 1000 })).items) {
            const id = bucketId(bucket);
            const expected = total(billable.get(id));
            const held = rig.metering.accepted.get(`${bucket.subscriptionId}|${bucket.dimension}|${bucket.hour}`);
            const sent = rig.metering.received.filter((e) => e.resourceId === bucket.subscriptionId && e.dimension === bucket.dimension && e.effectiveStartTime === bucket.hour);
            expect(isFinalState(bucket.state)).toBe(true);
            // Every send follows a claim this run won (an ETag-conditional write): never two runs on one claim.
            expect(sent.length).toBeLessThanOrEqual(bucket.attempts);
            expect((await rig.usage.sumBucket(bucket)).lateQuantity).toBe(total(unbilled.get(id)));
            if (expected === 0) {
              expect(bucket.state).toBe('Empty');
              expect(held).toBeUndefined();
              continue;
            }
            billedBuckets += 1;
            expect(['Emitted', 'Duplicate']).toContain(bucket.state);
            expect(held?.quantity).toBe(expected);
            expect(bucket.usageEventId).toBe(held?.usageEventId);
            expect(bucket.billedQuantity).toBe(expected);
            expect(new Set(sent.map((e) => e.quantity))).toEqual(new Set([expected]));
          }
        }
        expect(rig.metering.accepted.size).toBe(billedBuckets);
      }),
      { numRuns: 150 },
    );
  });
});
