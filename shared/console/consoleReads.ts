import { getSubscriptionDetail } from '../admin';
import type { PlanCatalog, CatalogPlan } from '../catalog';
import { toError } from '../errors';
import { getUsageReport, parseUsageReportQuery, type UsageHourView, type UsageReport } from '../metering';
import { listPoisonMessages, type PoisonListing } from '../operations/poisonQueue';
import { getOperationStatus, type OperationStatusView } from '../publisherOperations';
import { QUEUE_NAMES, type OperationRecord } from '../storage';
import type { ConsoleDeps } from './consoleDependencies';
import type { OverviewData } from './overviewPage';
import type { SubscriptionView } from './subscriptionPage';

/** Rows read at most for the delivery log (newest first after reading). */
export const MAX_LOG_ROWS = 2_000;
const HOUR_MS = 3_600_000;

function isLedgerNoise(op: OperationRecord): boolean {
  // Internal per-subscription lease rows (shared/operations/subscriptionLease.ts) are not operations.
  return op.id.startsWith('~');
}

/** Operations received since `since`, newest first, at most `max` rows read. */
export async function recentOperations(deps: ConsoleDeps, options: { since: Date; failedOnly?: boolean; subscriptionId?: string; max: number }): Promise<{ items: OperationRecord[]; truncated: boolean }> {
  const items: OperationRecord[] = [];
  let token: string | undefined;
  do {
    const page = await deps.operationLog.list({ since: options.since, failedOnly: options.failedOnly, subscriptionId: options.subscriptionId, pageSize: 1_000, continuationToken: token });
    items.push(...page.items.filter((op) => !isLedgerNoise(op)));
    token = page.continuationToken;
  } while (token !== undefined && items.length < options.max);
  items.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  return { items: items.slice(0, options.max), truncated: token !== undefined };
}

export async function poisonListings(deps: ConsoleDeps): Promise<PoisonListing[]> {
  return Promise.all(Object.values(QUEUE_NAMES).map((queue) => listPoisonMessages(deps.poison, queue)));
}

export async function loadOverview(deps: ConsoleDeps): Promise<OverviewData> {
  const now = deps.admin.clock.now();
  const [statusCounts, recent, poison, runs, readiness] = await Promise.all([
    deps.statusCounts().catch((error: unknown) => `Subscriptions could not be counted: ${toError(error).message}`),
    recentOperations(deps, { since: new Date(now.getTime() - 24 * HOUR_MS), max: MAX_LOG_ROWS }),
    Promise.all(Object.values(QUEUE_NAMES).map(async (queue) => ({ queue, count: await deps.poison.approximateCount(`${queue}-poison`) }))),
    deps.admin.runs.list().catch((error: unknown) => `Runs could not be read: ${toError(error).message}`),
    deps.readiness?.().catch((error: unknown) => `Readiness could not be checked: ${toError(error).message}`),
  ]);
  return { statusCounts, recent: recent.items, poison, runs, readiness };
}

export async function loadSubscription(deps: ConsoleDeps, id: string, requestId: string | null, canAct: boolean): Promise<SubscriptionView> {
  const logger = deps.logger;
  const now = deps.admin.clock.now();
  const [detail, operations, usage, tracking] = await Promise.all([
    getSubscriptionDetail({ ...deps.admin, logger }, id, { historyPageSize: 100 }),
    recentOperations(deps, { since: new Date(now.getTime() - 90 * 24 * HOUR_MS), subscriptionId: id, max: 50 }),
    getUsageReport({ usage: deps.usage, clock: deps.admin.clock }, parseUsageReportQuery(new URLSearchParams({ subscriptionId: id }))).then(
      (report): UsageHourView[] => report.hours,
      (error: unknown) => `Usage could not be read: ${toError(error).message}`,
    ),
    requestId === null ? undefined : getOperationStatus(deps.admin, requestId).catch((): OperationStatusView | undefined => undefined),
  ]);
  return { detail, operations: operations.items, usage, tracking: tracking?.subscriptionId === id ? tracking : undefined, canAct };
}

export async function loadUsage(deps: ConsoleDeps, query: URLSearchParams): Promise<{ report?: UsageReport; pending: Awaited<ReturnType<ConsoleDeps['usage']['listPending']>>['items'] }> {
  const throughHour = new Date(Math.floor(deps.admin.clock.now().getTime() / HOUR_MS) * HOUR_MS).toISOString();
  const subscriptionId = query.get('subscriptionId')?.trim();
  const [report, pending] = await Promise.all([
    subscriptionId ? getUsageReport({ usage: deps.usage, clock: deps.admin.clock }, parseUsageReportQuery(new URLSearchParams({ subscriptionId }))) : undefined,
    deps.usage.listPending({ throughHour, pageSize: 100 }),
  ]);
  return { report, pending: pending.items };
}

export async function loadPlans(plans: Pick<PlanCatalog, 'list'>): Promise<{ plans: CatalogPlan[]; more: boolean }> {
  const all: CatalogPlan[] = [];
  let token: string | undefined;
  do {
    const page = await plans.list({ pageSize: 100, continuationToken: token });
    all.push(...page.items);
    token = page.continuationToken;
  } while (token !== undefined && all.length < 500);
  all.sort((a, b) => a.offerId.localeCompare(b.offerId) || a.planId.localeCompare(b.planId));
  return { plans: all, more: token !== undefined };
}
