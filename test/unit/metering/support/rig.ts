import { learnPlans } from '../../../../shared/catalog/learnPlans';
import { fixedClock } from '../../../../shared/clock';
import { silentLogger } from '../../../../shared/logging';
import type { Plan } from '../../../../shared/marketplace/schemas/plan';
import { emitUsage, type EmitUsageDeps } from '../../../../shared/metering/emitUsage';
import { createUsageIngestion } from '../../../../shared/metering/ingestUsage';
import { createMeteringLookups } from '../../../../shared/metering/lookups';
import { InMemoryPlanCatalog } from '../../../fakes/inMemoryPlanCatalog';
import { InMemoryUsageMarketplace } from '../../../fakes/inMemoryUsageMarketplace';
import { InMemoryUsageStore, type InMemoryUsageStoreOptions } from '../../../fakes/inMemoryUsageStore';
import { InMemorySubscriptionStore } from '../../../fakes/inMemorySubscriptionStore';
import { buildSubscriptionRecord } from '../../../fixtures/buildSubscriptionRecord';
import { OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID } from './builders';

/** The plans Microsoft lists for every subscription of the rig (offer contoso-analytics). */
export const LISTED_PLANS: Plan[] = [
  { planId: 'starter', displayName: 'Starter', planComponents: { meteringDimensions: [{ id: 'api-calls' }, { id: 'storage-gb' }] } },
  { planId: 'flat', displayName: 'Flat', planComponents: { meteringDimensions: [] } },
];

export const SETTLE_MS = 5 * 60_000;
export const CLAIM_TIMEOUT_MS = 10 * 60_000;
export const WINDOW_MARGIN_MS = 3 * 3_600_000;

export interface MeteringRigOptions {
  now?: string;
  gate?: InMemoryUsageStoreOptions['gate'];
}

/** Ingestion and emission wired to in-memory fakes and one fixed clock. */
export async function meteringRig(options: MeteringRigOptions = {}) {
  const clock = fixedClock(options.now ?? '2025-03-10T10:30:00.000Z');
  const subscriptions = new InMemorySubscriptionStore();
  for (const id of [SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID]) await subscriptions.create(buildSubscriptionRecord({ id, offerId: 'contoso-analytics', planId: 'starter', status: 'Subscribed' }));
  const plans = new InMemoryPlanCatalog();
  const usage = new InMemoryUsageStore({ clock, gate: options.gate });
  const metering = new InMemoryUsageMarketplace(clock);
  const planCalls: string[] = [];
  let listed = LISTED_PLANS;
  const marketplace = {
    listAvailablePlans: (subscriptionId: string) => {
      planCalls.push(subscriptionId);
      return Promise.resolve(listed);
    },
    postBatchUsageEvents: metering.postBatchUsageEvents,
  };
  let ids = 0;
  const newId = (): string => `id-${(ids += 1)}`;
  const lookups = createMeteringLookups({ subscriptions, plans, clock, learn: (id) => learnPlans({ subscriptions, marketplace, plans, clock }, id) });
  const ingestion = createUsageIngestion({ usage, lookups, clock, newId, windowMarginMs: WINDOW_MARGIN_MS });
  const emitDeps = (): EmitUsageDeps => ({ usage, marketplace, clock, newId, settleMs: SETTLE_MS, claimTimeoutMs: CLAIM_TIMEOUT_MS, logger: silentLogger });
  return {
    clock,
    subscriptions,
    plans,
    usage,
    metering,
    planCalls,
    ingestion,
    emit: (overrides: Partial<EmitUsageDeps> = {}) => emitUsage({ ...emitDeps(), ...overrides }),
    emitDeps,
    setListedPlans: (plansNow: Plan[]) => {
      listed = plansNow;
    },
  };
}

/** A wire record for `SUBSCRIPTION_ID` (override any field; `undefined` removes it). */
export function wire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const record: Record<string, unknown> = { subscriptionId: SUBSCRIPTION_ID, dimension: 'api-calls', quantity: 1, timestamp: '2025-03-10T10:15:00Z', ...overrides };
  for (const [k, v] of Object.entries(record)) if (v === undefined) delete record[k];
  return record;
}
