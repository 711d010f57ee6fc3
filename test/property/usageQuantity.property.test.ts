import fc from 'fast-check';
import { MAX_USAGE_QUANTITY, QUANTITY_DECIMALS, QuantitySum } from '../../shared/metering/quantity';
import { OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID } from '../unit/metering/support/builders';
import { meteringRig } from '../unit/metering/support/rig';

const SCALE = 10n ** BigInt(QUANTITY_DECIMALS);
const MAX_UNITS = BigInt(MAX_USAGE_QUANTITY) * SCALE;

/** A quantity with at most 6 decimals, as millionths: small, fractional, and near the bound. */
const unitsArb = fc.oneof(
  fc.integer({ min: 1, max: 10_000_000 }),
  fc.integer({ min: 1, max: Number(MAX_UNITS) }),
  fc.constantFrom(100_000, 200_000, 300_000, 1, Number(MAX_UNITS)),
);
const toQuantity = (units: number): number => Number(`${BigInt(units) / SCALE}.${(BigInt(units) % SCALE).toString().padStart(QUANTITY_DECIMALS, '0')}`);
/** The exact decimal of a sum of millionths, as the number that prints it. */
const exact = (units: bigint): number => Number(`${units / SCALE}.${(units % SCALE).toString().padStart(QUANTITY_DECIMALS, '0')}`);

describe('usage quantities (property)', () => {
  it('QuantitySum is exact and order-free: the total prints as the exact decimal sum', () => {
    fc.assert(
      fc.property(fc.array(unitsArb, { minLength: 1, maxLength: 30 }), fc.nat(), (units, seed) => {
        const total = units.reduce((sum, u) => sum + BigInt(u), 0n);
        const shuffled = [...units].sort((a, b) => ((a * 7919 + seed) % 104_729) - ((b * 7919 + seed) % 104_729));
        const forward = new QuantitySum();
        const other = new QuantitySum();
        for (const u of units) forward.add(toQuantity(u));
        for (const u of shuffled) other.add(toQuantity(u));
        expect(forward.value()).toBe(other.value());
        expect(forward.exceedsBound()).toBe(total > MAX_UNITS);
        if (total <= MAX_UNITS) expect(forward.value()).toBe(exact(total));
      }),
      { numRuns: 300 },
    );
  });

  it('what is emitted for an hour is the exact sum of its accepted records, never above the bound, and each record over it is refused', async () => {
    const recordArb = fc.record({
      subscriptionId: fc.constantFrom(SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID),
      dimension: fc.constantFrom('api-calls', 'storage-gb'),
      units: unitsArb,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(recordArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), async (requests) => {
        // Prepare
        const rig = await meteringRig({ now: '2025-03-10T10:30:00.000Z' });
        const accepted = new Map<string, bigint>();
        let n = 0;

        // Act
        for (const request of requests) {
          const report = await rig.ingestion.ingest(
            request.map((r) => ({ id: `r${(n += 1)}`, subscriptionId: r.subscriptionId, dimension: r.dimension, quantity: toQuantity(r.units), timestamp: '2025-03-10T10:15:00Z' })),
          );
          const inRequest = new Map<string, bigint>();
          request.forEach((r, i) => {
            const key = `${r.subscriptionId}|${r.dimension}`;
            const result = report.results[i];
            const wouldBe = (inRequest.get(key) ?? 0n) + BigInt(r.units);
            // Assess (per request): refused exactly when the request's total for the hour would pass the bound
            expect(result?.status).toBe(wouldBe > MAX_UNITS ? 'rejected' : 'accepted');
            if (result?.status === 'accepted') {
              inRequest.set(key, wouldBe);
              accepted.set(key, (accepted.get(key) ?? 0n) + BigInt(r.units));
            }
          });
        }
        rig.clock.set('2025-03-10T11:10:00.000Z');
        const emission = await rig.emit();

        // Assess: every hour within the bound is sent with its exact total; one above it is not sent, and blocks nothing
        const sent = new Map(rig.metering.received.map((e) => [`${e.resourceId}|${e.dimension}`, e.quantity]));
        for (const [key, units] of accepted) {
          if (units <= MAX_UNITS) expect(sent.get(key)).toBe(exact(units));
          else expect(sent.has(key)).toBe(false);
        }
        expect([...sent.values()].every((q) => Number.isFinite(q) && q > 0 && q <= MAX_USAGE_QUANTITY)).toBe(true);
        expect(emission.failed).toBe(0);
        expect(emission.emitted + emission.rejected).toBe(accepted.size);
      }),
      { numRuns: 60 },
    );
  });
});
