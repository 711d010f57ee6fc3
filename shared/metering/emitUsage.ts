import type { Clock } from '../clock';
import { AlreadyExistsError, ConcurrencyConflictError, toError } from '../errors';
import type { Logger } from '../logging';
import { MAX_BATCH_USAGE_EVENTS, type MarketplaceApi, type UsageEvent, type UsageEventResponse } from '../marketplace';
import { recordRun, type JobRunStore } from '../runs';
import type { Versioned } from '../subscription/model';
import { mapLimited } from './concurrency';
import { hourIso, hourStartMs, lastEmittableHourMs, MICROSOFT_WINDOW_MS } from './hours';
import type { BucketKey, PendingBucket, UsageBucket } from './model';
import { isFinalState } from './model';
import { claimBucket, completeBucket, isClaimLive, releaseBucket, type Completion } from './bucketStateMachine';
import { MAX_USAGE_QUANTITY } from './quantity';
import type { UsageStore } from './usageStore';

/** Stop taking new hours after this long, so one run ends well within the 5-minute function timeout. */
export const DEFAULT_EMISSION_BUDGET_MS = 4 * 60_000;
const PREPARE_CONCURRENCY = 8;
const PENDING_PAGE_SIZE = 100;

export interface EmitUsageDeps {
  usage: UsageStore;
  marketplace: Pick<MarketplaceApi, 'postBatchUsageEvents'>;
  clock: Clock;
  /** Claim tokens (one per run). */
  newId: () => string;
  /** METERING_SETTLE_MINUTES in ms. */
  settleMs: number;
  /** METERING_CLAIM_TIMEOUT_SECONDS in ms. */
  claimTimeoutMs: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  timeBudgetMs?: number;
  /** Where the run's start, end, outcome and counts are recorded (absent: not recorded). */
  runs?: JobRunStore;
}

export interface EmissionReport {
  runId: string;
  /** The newest hour this run could emit. */
  throughHour: string;
  claimed: number;
  emitted: number;
  duplicates: number;
  rejected: number;
  empty: number;
  /** Calls that failed (transport, 5xx…): those hours are Open again and the next run resends them. */
  retryLater: number;
  /** Claimed by another run right now. */
  busy: number;
  /** Hours this run could not handle (e.g. a storage error on that hour): logged, left for the next run; the others went on. */
  failed: number;
  marketplaceCalls: number;
  /** The time budget ran out; the remaining hours wait for the next run (oldest are always taken first). */
  stoppedEarly: boolean;
}

interface Ready {
  bucket: Versioned<UsageBucket>;
  quantity: number;
}

/**
 * Emits every closed hour that is not emitted yet: oldest first, at most 25 events per call, the
 * result of each event recorded in its bucket. Safe to run twice at once and after a crash: an
 * hour is claimed with an ETag-conditional write, sealed, summed and sent by one run only.
 */
export async function emitUsage(deps: EmitUsageDeps): Promise<EmissionReport> {
  const started = deps.clock.now();
  const runId = deps.newId();
  const summarize = ({ claimed, emitted, duplicates, rejected, empty, retryLater, busy }: EmissionReport) => ({
    outcome: rejected + retryLater > 0 ? ('partial' as const) : ('succeeded' as const),
    counts: { claimed, emitted, duplicates, rejected, empty, retryLater, busy },
  });
  return recordRun({ runs: deps.runs, job: 'usageEmission', runId, startedAt: started.toISOString(), clock: deps.clock, logger: deps.logger, summarize }, () => emit(deps, runId, started));
}

async function emit(deps: EmitUsageDeps, runId: string, started: Date): Promise<EmissionReport> {
  const budget = deps.timeBudgetMs ?? DEFAULT_EMISSION_BUDGET_MS;
  const report: EmissionReport = {
    runId,
    throughHour: hourIso(lastEmittableHourMs(started, deps.settleMs)),
    claimed: 0,
    emitted: 0,
    duplicates: 0,
    rejected: 0,
    empty: 0,
    retryLater: 0,
    busy: 0,
    failed: 0,
    marketplaceCalls: 0,
    stoppedEarly: false,
  };
  const ready: Ready[] = [];
  let continuationToken: string | undefined;
  do {
    if (deps.clock.now().getTime() - started.getTime() > budget) {
      report.stoppedEarly = true;
      break;
    }
    const page = await deps.usage.listPending({ throughHour: report.throughHour, pageSize: PENDING_PAGE_SIZE, continuationToken });
    const prepared = await mapLimited(page.items, PREPARE_CONCURRENCY, (entry) => isolated(deps, entry, report, () => prepare(deps, runId, entry, report)));
    for (const item of prepared) if (item !== undefined) ready.push(item);
    while (ready.length >= MAX_BATCH_USAGE_EVENTS) await send(deps, ready.splice(0, MAX_BATCH_USAGE_EVENTS), report);
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  while (ready.length > 0) await send(deps, ready.splice(0, MAX_BATCH_USAGE_EVENTS), report);
  deps.logger.info('usage emission finished', { ...report });
  return report;
}

/** Claims, seals and sums one pending hour; undefined when there is nothing to send. */
async function prepare(deps: EmitUsageDeps, runId: string, entry: PendingBucket, report: EmissionReport): Promise<Ready | undefined> {
  const now = deps.clock.now();
  const current = (await deps.usage.getBucket(entry)) ?? (await recreateBucket(deps, entry));
  if (isFinalState(current.value.state)) {
    await deps.usage.removePending(entry);
    return undefined;
  }
  if (isClaimLive(current.value, now)) {
    report.busy += 1;
    return undefined;
  }
  let claimed: Versioned<UsageBucket>;
  try {
    claimed = await deps.usage.updateBucket(claimBucket(current.value, { token: runId, now, timeoutMs: deps.claimTimeoutMs }), current.etag);
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) {
      report.busy += 1;
      return undefined;
    }
    throw error;
  }
  report.claimed += 1;
  // Sealed before anything else: whatever this hour ends as, later records are reported as unbilled.
  await deps.usage.sealBucket(entry);
  if (hourStartMs(Date.parse(entry.hour)) + MICROSOFT_WINDOW_MS <= now.getTime()) {
    await finish(deps, claimed, { kind: 'expiredLocally' }, report);
    return undefined;
  }
  const totals = await deps.usage.sumBucket(entry);
  if (totals.billableQuantity <= 0) {
    await finish(deps, claimed, { kind: 'empty' }, report);
    return undefined;
  }
  if (!(totals.billableQuantity <= MAX_USAGE_QUANTITY)) {
    await finish(deps, claimed, { kind: 'tooLarge', quantity: totals.billableQuantity }, report);
    return undefined;
  }
  return { bucket: claimed, quantity: totals.billableQuantity };
}

/** A pending row whose bucket row was never written (a crash in between): rebuild it from the index. */
async function recreateBucket(deps: EmitUsageDeps, entry: PendingBucket): Promise<Versioned<UsageBucket>> {
  const at = deps.clock.now().toISOString();
  try {
    return await deps.usage.createBucket({ ...entry, state: 'Open', createdAt: at, updatedAt: at, attempts: 0 });
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const existing = await deps.usage.getBucket(entry);
    if (existing === undefined) throw error;
    return existing;
  }
}

async function send(deps: EmitUsageDeps, batch: Ready[], report: EmissionReport): Promise<void> {
  const events: UsageEvent[] = batch.map(({ bucket, quantity }) => ({
    resourceId: bucket.value.subscriptionId,
    dimension: bucket.value.dimension,
    effectiveStartTime: bucket.value.hour,
    planId: bucket.value.planId,
    quantity,
  }));
  report.marketplaceCalls += 1;
  let results: UsageEventResponse[];
  try {
    results = (await deps.marketplace.postBatchUsageEvents(events)).result;
  } catch (thrown) {
    const error = toError(thrown);
    deps.logger.warn('usage batch not delivered; the hours will be sent again by the next run', { events: events.length, error });
    await mapLimited(batch, PREPARE_CONCURRENCY, (item) =>
      isolated(deps, item.bucket.value, report, () => finish(deps, item.bucket, { kind: 'retry', code: errorCode(error), message: error.message }, report)),
    );
    return;
  }
  await mapLimited(batch, PREPARE_CONCURRENCY, async (item, index) => {
    const result = matchResult(results, item.bucket.value, index, batch.length);
    const completion: Completion =
      result === undefined ? { kind: 'retry', code: 'NoResult', message: 'Microsoft returned no result for this event' } : { kind: 'answered', sentQuantity: item.quantity, result };
    await isolated(deps, item.bucket.value, report, () => finish(deps, item.bucket, completion, report));
  });
}

/**
 * One hour's failure stays that hour's: it is logged and counted, and the run goes on with the
 * others (a claimed hour is left Emitting; its claim expires and a later run takes it again).
 */
async function isolated<T>(deps: EmitUsageDeps, bucket: BucketKey, report: EmissionReport, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (thrown) {
    report.failed += 1;
    deps.logger.warn('usage hour not handled in this run; the next run takes it again', { subscriptionId: bucket.subscriptionId, dimension: bucket.dimension, hour: bucket.hour, error: toError(thrown) });
    return undefined;
  }
}

/** The batch answer for one event: matched on resource, dimension and hour; by position as a fallback. */
function matchResult(results: UsageEventResponse[], bucket: BucketKey, index: number, sent: number): UsageEventResponse | undefined {
  const hour = Date.parse(bucket.hour);
  const byKey = results.find(
    (r) =>
      r.resourceId?.toLowerCase() === bucket.subscriptionId.toLowerCase() &&
      r.dimension === bucket.dimension &&
      r.effectiveStartTime !== undefined &&
      hourStartMs(Date.parse(r.effectiveStartTime)) === hour,
  );
  if (byKey !== undefined) return byKey;
  return results.length === sent ? results[index] : undefined;
}

async function finish(deps: EmitUsageDeps, claimed: Versioned<UsageBucket>, completion: Completion, report: EmissionReport): Promise<void> {
  const now = deps.clock.now();
  const next = completion.kind === 'retry' ? releaseBucket(claimed.value, { now, code: completion.code, message: completion.message }) : completeBucket(claimed.value, completion, now);
  try {
    await deps.usage.updateBucket(next, claimed.etag);
  } catch (error) {
    if (!(error instanceof ConcurrencyConflictError)) throw error;
    // Our claim expired and another run took the hour over; it will adopt whatever Microsoft holds.
    deps.logger.warn('usage bucket claim lost before its result was recorded', { subscriptionId: next.subscriptionId, dimension: next.dimension, hour: next.hour });
    return;
  }
  const counters: Record<UsageBucket['state'], keyof EmissionReport | undefined> = {
    Open: 'retryLater',
    Emitting: undefined,
    Emitted: 'emitted',
    Duplicate: 'duplicates',
    Rejected: 'rejected',
    Empty: 'empty',
  };
  const counter = counters[next.state];
  if (counter !== undefined) (report[counter] as number) += 1;
  if (next.state === 'Rejected') {
    deps.logger.warn('usage event rejected by Microsoft', { subscriptionId: next.subscriptionId, dimension: next.dimension, hour: next.hour, status: next.marketplaceStatus, error: next.lastError });
  }
  if (isFinalState(next.state)) await deps.usage.removePending(next);
}

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
