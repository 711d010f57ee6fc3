import { learnPlans } from '../../../shared/catalog/learnPlans';
import { catalogPlanFromMarketplace, dimensionIds } from '../../../shared/catalog/planCatalog';
import { fixedClock } from '../../../shared/clock';
import { NotFoundError } from '../../../shared/errors';
import { planListSchema, type Plan } from '../../../shared/marketplace/schemas/plan';
import { InMemoryPlanCatalog } from '../../fakes/inMemoryPlanCatalog';
import { InMemorySubscriptionStore } from '../../fakes/inMemorySubscriptionStore';
import { buildPlansBody } from '../../fakes/marketplaceFixtures';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const listed: Plan[] = [
  ...planListSchema.parse(buildPlansBody()),
  { planId: 'vip', displayName: 'VIP (private)', isPrivate: true, planComponents: { meteringDimensions: [{ id: 'emails' }, { displayName: 'no id' }] } },
];

async function rig() {
  const subscriptions = new InMemorySubscriptionStore();
  await subscriptions.create(buildSubscriptionRecord({ offerId: 'contoso-mail', planId: 'gold' }));
  const plans = new InMemoryPlanCatalog();
  const calls: string[] = [];
  const marketplace = {
    listAvailablePlans: (subscriptionId: string) => {
      calls.push(subscriptionId);
      return Promise.resolve(listed);
    },
  };
  const deps = { subscriptions, plans, marketplace, clock: fixedClock('2025-03-10T10:00:00Z') };
  return { deps, plans, calls };
}

describe('learnPlans', () => {
  it('stores every listed plan, private ones included, under the subscription’s offer', async () => {
    // Prepare
    const { deps, plans } = await rig();

    // Act
    const learned = await learnPlans(deps, buildSubscriptionRecord().id);

    // Assess
    expect(learned.map((p) => `${p.offerId}/${p.planId}`)).toEqual(['contoso-mail/gold', 'contoso-mail/seats', 'contoso-mail/vip']);
    expect(await plans.get('contoso-mail', 'vip')).toMatchObject({ isPrivate: true, learnedAt: '2025-03-10T10:00:00.000Z', learnedFromSubscriptionId: buildSubscriptionRecord().id });
  });

  it('refuses a subscription this app does not know, without asking Microsoft', async () => {
    // Prepare
    const { deps, calls } = await rig();

    // Act
    const learning = learnPlans(deps, '00000000-0000-4000-8000-000000000000');

    // Assess
    await expect(learning).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toEqual([]);
  });
});

describe('catalogPlanFromMarketplace', () => {
  it('keeps the metering dimensions, the included quantities as strings and the seat limits', () => {
    // Prepare
    const [gold, seats] = listed as [Plan, Plan];

    // Act
    const entries = [gold, seats].map((plan) => catalogPlanFromMarketplace('offer', plan, { at: '2025-03-10T10:00:00.000Z', subscriptionId: 's' }));

    // Assess
    expect(dimensionIds(entries[0]!)).toEqual(['emails']);
    expect(entries[0]!.billingTerms).toEqual([{ termUnit: 'P1M', termDescription: '1 Month Subscription', price: 10, currency: 'USD', meteredQuantityIncluded: [{ dimensionId: 'emails', units: '10' }] }]);
    expect(entries[1]).toMatchObject({ planId: 'seats', isPricePerSeat: true, minQuantity: 1, maxQuantity: 100, meteringDimensions: [], billingTerms: [] });
  });

  it('drops a dimension that has no id (usage could never name it)', () => {
    // Prepare
    const vip = listed[2] as Plan;

    // Act
    const entry = catalogPlanFromMarketplace('offer', vip, { at: '2025-03-10T10:00:00.000Z', subscriptionId: 's' });

    // Assess
    expect(entry.meteringDimensions).toEqual([{ id: 'emails' }]);
    expect(entry).toMatchObject({ isPrivate: true, isStopSell: false, hasFreeTrials: false, isPricePerSeat: false });
  });
});
