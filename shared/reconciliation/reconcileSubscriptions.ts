import type { PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import { DependencyUnavailableError, toError } from '../errors';
import type { LifecycleNotifier } from '../isv/hooks';
import type { Logger } from '../logging';
import { MarketplaceApiError, type MarketplaceApi, type MarketplaceSubscription, type UnparseableItem } from '../marketplace';
import type { OperationMessage } from '../operations/operationMessage';
import { recordRun, type JobRunStore } from '../runs';
import { RoundTripCounter, writesOf, type HistoryStore, type MessageQueue, type OperationLedger, type SubscriptionStore, type WriteCounts } from '../storage';
import { forEachLimited } from './forEachLimited';
import { reconcileSubscription, type RunContext } from './reconcileSubscription';
import { recoverOperations } from './recoverOperations';
import { catalogRefresher, type CatalogCounts } from './refreshCatalog';

export interface ReconcileDeps {
  marketplace: Pick<MarketplaceApi, 'listSubscriptions' | 'getSubscription' | 'listOutstandingOperations' | 'listAvailablePlans'>;
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
  /** The plan catalog, refreshed once per run for every offer and plan in use. */
  plans: Pick<PlanCatalog, 'save'>;
  /** The `operations` queue, for operations whose webhook never came. */
  operationsQueue: MessageQueue<OperationMessage>;
  isv: LifecycleNotifier;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  settings: { concurrency: number; checkOperations: boolean };
  /** Where the run's start, end, outcome and counts are recorded (absent: not recorded). */
  runs?: JobRunStore;
}

/** At most this many per-subscription failures are listed in the report (all are counted). */
export const MAX_LISTED_FAILURES = 20;

export interface ReconcileReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Subscriptions Microsoft listed. */
  seen: number;
  unchanged: number;
  repaired: number;
  /** Drifted, but another worker was converging the subscription on Microsoft's state at the time. */
  deferred: number;
  imported: number;
  failed: number;
  /** Listed items that did not parse: skipped (logged with their id), the rest of the page processed. */
  unparseable: number;
  /** How many repaired subscriptions differed in each field. */
  drift: Record<string, number>;
  /** Subscribed / Suspended subscriptions whose outstanding operations were listed. */
  operationsChecked: number;
  /** InProgress operations never received by the webhook, handed to operation processing. */
  operationsRecovered: number;
  /** Plan catalog refresh: List Available Plans asked once per offer and plan in use (through a Subscribed subscription on it). */
  catalog: CatalogCounts;
  tableWrites: WriteCounts;
  failures: Array<{ subscriptionId: string; error: string }>;
}

const ACTIVE: ReadonlySet<string> = new Set(['Subscribed', 'Suspended']);

/**
 * One reconciliation run: every subscription Microsoft lists, page by page (never collected), is
 * compared with Table Storage and repaired where it drifted (see reconcileSubscription); for
 * Subscribed and Suspended ones, InProgress operations the webhook never delivered are handed to
 * operation processing; and the plan catalog learns, once per offer and plan in use, what List
 * Available Plans says. A failure on one subscription is counted and the run goes on; a failure to
 * list (Microsoft unreachable) ends the run with DependencyUnavailableError.
 */
export async function reconcileSubscriptions(deps: ReconcileDeps): Promise<ReconcileReport> {
  const startedAt = deps.clock.now().toISOString();
  const runId = `reconcile-${startedAt.replace(/[^0-9]/g, '')}-${deps.newId()}`;
  const summarize = ({ seen, unchanged, repaired, imported, failed, operationsRecovered }: ReconcileReport) => ({
    outcome: failed > 0 ? ('partial' as const) : ('succeeded' as const),
    counts: { seen, unchanged, repaired, imported, failed, operationsRecovered },
  });
  return recordRun({ runs: deps.runs, job: 'reconciliation', runId, startedAt, clock: deps.clock, logger: deps.logger, summarize }, () => run(deps, runId, startedAt));
}

async function run(deps: ReconcileDeps, runId: string, startedAt: string): Promise<ReconcileReport> {
  const counter = new RoundTripCounter();
  const log = deps.logger.child({ runId });
  const operations = counter.operations(deps.operations);
  const repairDeps = {
    subscriptions: counter.subscriptions(deps.subscriptions),
    history: counter.history(deps.history),
    operations,
    marketplace: deps.marketplace,
    clock: deps.clock,
    isv: deps.isv,
    logger: log,
  };
  const recoverDeps = {
    marketplace: deps.marketplace,
    operations,
    history: repairDeps.history,
    queue: deps.operationsQueue,
    logger: log,
  };
  const report = emptyReport(runId, startedAt);
  const refreshCatalog = catalogRefresher({ ...deps, subscriptions: repairDeps.subscriptions }, report.catalog, log);

  const one = async (truth: MarketplaceSubscription): Promise<void> => {
    report.seen += 1;
    const run: RunContext = { runId, at: deps.clock.now().toISOString() };
    try {
      const result = await reconcileSubscription(repairDeps, truth, run);
      report[result.outcome] += 1;
      if (result.outcome === 'repaired') for (const field of result.fields) report.drift[field] = (report.drift[field] ?? 0) + 1;
      if (deps.settings.checkOperations && ACTIVE.has(truth.saasSubscriptionStatus)) {
        report.operationsChecked += 1;
        const recovered = await recoverOperations(recoverDeps, truth.id, run.at);
        report.operationsRecovered += recovered;
      }
      await refreshCatalog(truth);
    } catch (error) {
      report.failed += 1;
      const err = toError(error);
      if (report.failures.length < MAX_LISTED_FAILURES) report.failures.push({ subscriptionId: truth.id, error: `${err.name}: ${err.message}`.slice(0, 500) });
      log.warn('subscription not reconciled', { subscriptionId: truth.id, error: err });
    }
  };

  const onUnparseable = (item: UnparseableItem): void => {
    report.unparseable += 1;
    const subscriptionId = item.id ?? `(item ${item.index} of a page, no id)`;
    if (report.failures.length < MAX_LISTED_FAILURES) report.failures.push({ subscriptionId, error: `unparseable: ${item.problems}` });
    log.warn('listed subscription skipped: it does not parse', { subscriptionId: item.id, index: item.index, problems: item.problems });
  };

  try {
    await forEachLimited(deps.marketplace.listSubscriptions({ onUnparseable }), deps.settings.concurrency, one);
  } catch (error) {
    log.error('reconciliation stopped: the marketplace could not be listed', { error, seen: report.seen });
    if (error instanceof MarketplaceApiError) throw new DependencyUnavailableError('marketplace', 'Microsoft could not list the subscriptions; reconciliation stopped', { cause: error });
    throw error;
  }
  report.finishedAt = deps.clock.now().toISOString();
  const tableWrites = writesOf(counter.counts);
  report.tableWrites = tableWrites;
  const summary = { seen: report.seen, repaired: report.repaired, imported: report.imported, failed: report.failed, unparseable: report.unparseable, operationsRecovered: report.operationsRecovered, tableWrites };
  if (report.failed > 0 || report.unparseable > 0) log.error('reconciliation finished with failures', summary);
  else log.info('reconciliation finished', summary);
  return report;
}

function emptyReport(runId: string, startedAt: string): ReconcileReport {
  return {
    runId,
    startedAt,
    finishedAt: startedAt,
    seen: 0,
    unchanged: 0,
    repaired: 0,
    deferred: 0,
    imported: 0,
    failed: 0,
    unparseable: 0,
    drift: {},
    operationsChecked: 0,
    operationsRecovered: 0,
    catalog: { asked: 0, plansSaved: 0, failed: 0 },
    tableWrites: { subscriptions: 0, history: 0, operations: 0 },
    failures: [],
  };
}
