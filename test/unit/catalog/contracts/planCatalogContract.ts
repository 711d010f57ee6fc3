import type { PlanCatalog } from '../../../../shared/catalog/planCatalog';
import { buildCatalogPlan } from '../../metering/support/builders';

/** The behaviour every PlanCatalog must have; run against the fake and against Azurite. */
export function describePlanCatalogContract(name: string, createCatalog: () => Promise<PlanCatalog>): void {
  describe(`PlanCatalog contract (${name})`, () => {
    it('keeps the same plan id of two offers as two plans', async () => {
      // Prepare
      const catalog = await createCatalog();
      const analytics = buildCatalogPlan({ offerId: 'contoso-analytics', planId: 'gold', displayName: 'Analytics gold' });
      const seats = buildCatalogPlan({ offerId: 'contoso-seats', planId: 'gold', displayName: 'Seats gold', meteringDimensions: [], isPricePerSeat: true, minQuantity: 1, maxQuantity: 50 });

      // Act
      await catalog.save([analytics, seats]);

      // Assess
      expect(await catalog.get('contoso-analytics', 'gold')).toEqual(analytics);
      expect(await catalog.get('contoso-seats', 'gold')).toEqual(seats);
    });

    it('replaces a plan with the copy learned later', async () => {
      // Prepare
      const catalog = await createCatalog();
      await catalog.save([buildCatalogPlan({ learnedAt: '2025-03-10T09:00:00.000Z' })]);
      const newer = buildCatalogPlan({ learnedAt: '2025-03-10T12:00:00.000Z', meteringDimensions: [{ id: 'events' }], description: 'now with events' });

      // Act
      await catalog.save([newer]);

      // Assess
      expect(await catalog.get(newer.offerId, newer.planId)).toEqual(newer);
    });

    it('answers undefined for a plan it never learned', async () => {
      // Prepare
      const catalog = await createCatalog();
      await catalog.save([buildCatalogPlan()]);

      // Act
      const missing = await Promise.all([catalog.get('contoso-analytics', 'platinum'), catalog.get('other-offer', 'starter')]);

      // Assess
      expect(missing).toEqual([undefined, undefined]);
    });

    it('lists one offer’s plans by plan id, page by page, and every offer’s plans together', async () => {
      // Prepare
      const catalog = await createCatalog();
      const plans = ['c', 'a', 'd', 'b'].map((planId) => buildCatalogPlan({ planId }));
      await catalog.save([...plans, buildCatalogPlan({ offerId: 'other', planId: 'z' })]);

      // Act
      const first = await catalog.listByOffer('contoso-analytics', { pageSize: 3 });
      const second = await catalog.listByOffer('contoso-analytics', { pageSize: 3, continuationToken: first.continuationToken });
      const all = await catalog.list();

      // Assess
      expect([...first.items, ...second.items].map((p) => p.planId)).toEqual(['a', 'b', 'c', 'd']);
      expect(second.continuationToken).toBeUndefined();
      expect(all.items.map((p) => `${p.offerId}/${p.planId}`)).toEqual(['contoso-analytics/a', 'contoso-analytics/b', 'contoso-analytics/c', 'contoso-analytics/d', 'other/z']);
    });

    it('stores ids holding characters that table keys refuse', async () => {
      // Prepare
      const catalog = await createCatalog();
      const odd = buildCatalogPlan({ offerId: 'offer/with#odd?chars', planId: 'plan\\1' });

      // Act
      await catalog.save([odd]);

      // Assess
      expect(await catalog.get('offer/with#odd?chars', 'plan\\1')).toEqual(odd);
    });
  });
}
