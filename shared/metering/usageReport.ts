import { z } from 'zod';
import type { Clock } from '../clock';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';
import { mapLimited } from './concurrency';
import { HOUR_MS, hourStartMs } from './hours';
import type { BucketError, BucketState, BucketTotals, UsageBucket } from './model';
import { sumQuantities } from './quantity';
import type { UsageStore } from './usageStore';

export const DEFAULT_REPORT_HOURS = 48;
export const MAX_REPORT_DAYS = 31;
const SUM_CONCURRENCY = 8;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoDate = z.string().trim().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date-time');

/** Query string of `GET /api/usage`. */
export const usageReportQuerySchema = z.object({
  subscriptionId: z.string({ error: 'required' }).trim().regex(GUID, 'must be a GUID'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  pageSize: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 500')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, 'must be a whole number from 1 to 500')
    .optional(),
  continuationToken: z.string().min(1).optional(),
});

export type UsageReportQuery = z.output<typeof usageReportQuerySchema>;

/** One hour of one dimension as the admin sees it. Quantities are in the dimension's unit. */
export interface UsageHourView {
  hour: string;
  dimension: string;
  planId: string;
  status: BucketState;
  /** Every record kept for the hour (billable + late). */
  recordedQuantity: number;
  records: number;
  /** Records that arrived after the hour was sealed for emission. */
  lateRecords: number;
  /** Recorded but not billed: late records, or everything of a rejected hour. 0 while not yet emitted. */
  unbilledQuantity: number;
  sentQuantity?: number;
  billedQuantity?: number;
  usageEventId?: string;
  marketplaceStatus?: string;
  emittedAt?: string;
  attempts: number;
  lastError?: BucketError;
}

export interface UsageReport {
  subscriptionId: string;
  from: string;
  to: string;
  hours: UsageHourView[];
  continuationToken?: string;
}

export interface UsageReportDeps {
  usage: Pick<UsageStore, 'listBuckets' | 'sumBucket'>;
  clock: Clock;
}

/** Parses the query string (ValidationError with every issue). */
export function parseUsageReportQuery(query: URLSearchParams): UsageReportQuery {
  const result = usageReportQuerySchema.safeParse(Object.fromEntries(query));
  if (!result.success) throw new ValidationError('Invalid usage query', formatIssues(result.error.issues));
  return result.data;
}

/** Hours (default: the last 48 and the current one), their totals and emission status, oldest first. */
export async function getUsageReport(deps: UsageReportDeps, query: UsageReportQuery): Promise<UsageReport> {
  const now = deps.clock.now().getTime();
  const to = hourStartMs(query.to === undefined ? now + HOUR_MS : Date.parse(query.to));
  const from = hourStartMs(query.from === undefined ? to - (DEFAULT_REPORT_HOURS + 1) * HOUR_MS : Date.parse(query.from));
  if (from >= to) throw new ValidationError('Invalid usage query', ['from: must be before to']);
  if (to - from > MAX_REPORT_DAYS * 24 * HOUR_MS) throw new ValidationError('Invalid usage query', [`to: at most ${MAX_REPORT_DAYS} days after from`]);
  const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const page = await deps.usage.listBuckets(query.subscriptionId, {
    fromHour: range.from,
    toHour: range.to,
    pageSize: query.pageSize,
    continuationToken: query.continuationToken,
  });
  const hours = await mapLimited(page.items, SUM_CONCURRENCY, async ({ value }) => hourView(value, await deps.usage.sumBucket(value)));
  return { subscriptionId: query.subscriptionId, ...range, hours, ...(page.continuationToken === undefined ? {} : { continuationToken: page.continuationToken }) };
}

export function hourView(bucket: UsageBucket, totals: BucketTotals): UsageHourView {
  const recorded = sumQuantities(totals.billableQuantity, totals.lateQuantity);
  const view: UsageHourView = {
    hour: bucket.hour,
    dimension: bucket.dimension,
    planId: bucket.planId,
    status: bucket.state,
    recordedQuantity: recorded,
    records: totals.billableRecords + totals.lateRecords,
    lateRecords: totals.lateRecords,
    unbilledQuantity: unbilled(bucket, totals, recorded),
    attempts: bucket.attempts,
  };
  const optional = {
    sentQuantity: bucket.sentQuantity,
    billedQuantity: bucket.billedQuantity,
    usageEventId: bucket.usageEventId,
    marketplaceStatus: bucket.marketplaceStatus,
    emittedAt: bucket.emittedAt,
    lastError: bucket.lastError,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (view as unknown as Record<string, unknown>)[key] = value;
  return view;
}

function unbilled(bucket: UsageBucket, totals: BucketTotals, recorded: number): number {
  switch (bucket.state) {
    case 'Emitted':
    case 'Duplicate':
      return Math.max(0, sumQuantities(recorded, -(bucket.billedQuantity ?? bucket.sentQuantity ?? 0)));
    case 'Rejected':
    case 'Empty':
      return recorded;
    default:
      return totals.lateQuantity;
  }
}
