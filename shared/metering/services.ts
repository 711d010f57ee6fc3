import { randomUUID } from 'node:crypto';
import { learnPlans, type PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { MarketplaceApi } from '../marketplace';
import type { SubscriptionStore } from '../storage';
import { createUsageIngestion, type IngestReport, type UsageIngestion } from './ingestUsage';
import { createMeteringLookups } from './lookups';
import type { UsageStore } from './usageStore';

/** What metering needs from the composition root (AppDependencies fits). */
export interface MeteringAppDeps {
  config: Pick<Readonly<Config>, 'metering'>;
  clock: Clock;
  subscriptions: Pick<SubscriptionStore, 'get'>;
  plans: Pick<PlanCatalog, 'get' | 'save'>;
  usage: Pick<UsageStore, 'appendRecords' | 'addPending' | 'createBucket'>;
  marketplace: Pick<MarketplaceApi, 'listAvailablePlans'>;
}

export interface MeteringServices {
  ingestion: UsageIngestion;
}

const newId = (): string => randomUUID();

/** Wires ingestion to real dependencies; build once per process (it keeps small caches). */
export function createMeteringServices(deps: MeteringAppDeps): MeteringServices {
  const { clock, usage } = deps;
  const { windowMarginMs } = deps.config.metering;
  const lookups = createMeteringLookups({
    subscriptions: deps.subscriptions,
    plans: deps.plans,
    clock,
    learn: (subscriptionId) => learnPlans({ subscriptions: deps.subscriptions, marketplace: deps.marketplace, plans: deps.plans, clock }, subscriptionId),
  });
  return {
    ingestion: createUsageIngestion({ usage, lookups, clock, newId, windowMarginMs }),
  };
}

/** 200 when every record was kept, 207 when some were refused, 400 when all were. */
export function ingestStatus(report: IngestReport): number {
  if (report.rejected === 0) return 200;
  return report.rejected === report.results.length ? 400 : 207;
}
