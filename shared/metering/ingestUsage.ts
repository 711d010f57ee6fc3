import type { Clock } from '../clock';
import { AlreadyExistsError } from '../errors';
import type { Logger } from '../logging';
import type { SubscriptionRecord } from '../subscription/model';
import { cancelledAt } from '../subscription/stateMachine';
import { mapLimited } from './concurrency';
import { HOUR_MS } from './hours';
import { MAX_USAGE_QUANTITY, QuantitySum } from './quantity';
import type { MeteringLookups } from './lookups';
import type { AppendMode, AppendOutcome, NewUsageRecord, UsageBucket } from './model';
import { checkRecordShape, type Rejection, type UsageInput } from './usageInput';
import { bucketId, callerRecordId, generatedRecordId } from './usageKeys';
import type { UsageStore } from './usageStore';

/**
 * Records of an hour reported up to a minute after it ended are still appended without touching
 * the seal; those write attempts must start within 90 s of the hour's end. Emission seals an hour
 * at the earliest 4 minutes after its end (METERING_SETTLE_MINUTES ≥ 4), so they always land first.
 */
export const OPEN_PATH_GRACE_MS = 60_000;
export const OPEN_PATH_DEADLINE_MS = 90_000;
const BUCKET_CONCURRENCY = 8;
const MAX_ENSURED = 10_000;

export type RecordStatus = 'accepted' | 'duplicate' | 'unbilled' | 'rejected';

export interface RecordResult {
  /** Position in the request (0 for a single record). */
  index: number;
  id?: string;
  status: RecordStatus;
  /** The hour the record counts for. */
  hour?: string;
  reason?: { code: string; message: string };
}

export interface IngestReport {
  accepted: number;
  duplicate: number;
  unbilled: number;
  rejected: number;
  results: RecordResult[];
}

export interface IngestUsageDeps {
  usage: Pick<UsageStore, 'appendRecords' | 'addPending' | 'createBucket'>;
  lookups: MeteringLookups;
  clock: Clock;
  /** Unique ids for records sent without an `id`. */
  newId: () => string;
  /** METERING_WINDOW_MARGIN_MINUTES in ms. */
  windowMarginMs: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

interface ValidRecord {
  index: number;
  input: UsageInput;
  subscription: SubscriptionRecord;
}

export interface UsageIngestion {
  /** Checks and stores each record on its own; returns one result per record, in order. */
  ingest(records: readonly unknown[]): Promise<IngestReport>;
}

/** Holds a small per-process memory of buckets already created, so a busy hour costs no extra writes. */
export function createUsageIngestion(deps: IngestUsageDeps): UsageIngestion {
  const ensured = new Set<string>();

  async function ensureBucket(record: ValidRecord, now: string): Promise<void> {
    const id = bucketId(record.input);
    if (ensured.has(id)) return;
    const { subscriptionId, dimension, hour } = record.input;
    const { offerId, planId } = record.subscription;
    // The pending index first: a bucket that exists is then always findable by emission.
    await deps.usage.addPending({ subscriptionId, dimension, hour, offerId, planId });
    const bucket: UsageBucket = { subscriptionId, dimension, hour, offerId, planId, state: 'Open', createdAt: now, updatedAt: now, attempts: 0 };
    try {
      await deps.usage.createBucket(bucket);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
    if (ensured.size >= MAX_ENSURED) ensured.clear();
    ensured.add(id);
  }

  return {
    async ingest(raw) {
      const now = deps.clock.now();
      const results: RecordResult[] = new Array<RecordResult>(raw.length);
      const reject = (index: number, id: string | undefined, reason: Rejection, hour?: string): void => {
        results[index] = { index, ...(id === undefined ? {} : { id }), status: 'rejected', ...(hour === undefined ? {} : { hour }), reason };
      };

      const candidates: Array<{ index: number; input: UsageInput }> = [];
      raw.forEach((item, index) => {
        const checked = checkRecordShape(item, now, deps.windowMarginMs);
        if (checked.ok) candidates.push({ index, input: checked.input });
        else reject(index, checked.id, checked.reason);
      });

      const valid = await checkAgainstSubscriptions(deps.lookups, candidates, reject);
      const unique = dropRepeatedIds(valid, results);

      const byBucket = new Map<string, ValidRecord[]>();
      for (const record of withinHourBound(unique, reject)) byBucket.set(bucketId(record.input), [...(byBucket.get(bucketId(record.input)) ?? []), record]);
      await mapLimited([...byBucket.values()], BUCKET_CONCURRENCY, async (records) => {
        const first = records[0] as ValidRecord;
        await ensureBucket(first, now.toISOString());
        const stored = records.map((r) => toNewRecord(r, now.toISOString(), deps.newId));
        const outcomes = await deps.usage.appendRecords(stored, appendMode(first.input.hour, now));
        outcomes.forEach((outcome, i) => {
          const record = records[i] as ValidRecord;
          results[record.index] = resultFor(record, stored[i] as NewUsageRecord, outcome);
        });
      });

      const report: IngestReport = { accepted: 0, duplicate: 0, unbilled: 0, rejected: 0, results };
      for (const result of results) report[result.status] += 1;
      if (report.unbilled > 0) deps.logger?.warn('usage recorded for hours already emitted', { unbilled: report.unbilled });
      return report;
    },
  };
}

/** Subscription known and Subscribed, dimension defined by its plan (catalog, learned on demand). */
async function checkAgainstSubscriptions(
  lookups: MeteringLookups,
  candidates: Array<{ index: number; input: UsageInput }>,
  reject: (index: number, id: string | undefined, reason: Rejection, hour?: string) => void,
): Promise<ValidRecord[]> {
  const subscriptionIds = [...new Set(candidates.map((c) => c.input.subscriptionId))];
  const subscriptions = new Map(await mapLimited(subscriptionIds, BUCKET_CONCURRENCY, async (id) => [id, await lookups.subscription(id)] as const));
  const valid: ValidRecord[] = [];
  for (const { index, input } of candidates) {
    const subscription = subscriptions.get(input.subscriptionId);
    const no = (reason: Rejection): void => reject(index, input.id, reason, input.hour);
    if (subscription === undefined) {
      no({ code: 'unknown-subscription', message: `subscription ${input.subscriptionId} is not known to this app (it must have been purchased and activated)` });
      continue;
    }
    const refusal = statusRefusal(subscription, input);
    if (refusal !== undefined) {
      no({ code: 'subscription-not-subscribed', message: refusal });
      continue;
    }
    const plan = await lookups.plan(subscription, input.dimension);
    if (plan === undefined) {
      no({ code: 'unknown-plan', message: `plan ${subscription.planId} of offer ${subscription.offerId} is not in the plan catalog (Microsoft does not list it for this subscription)` });
      continue;
    }
    if (!plan.meteringDimensions.some((d) => d.id === input.dimension)) {
      const defined = plan.meteringDimensions.map((d) => d.id);
      const list = defined.length === 0 ? 'it defines no metering dimensions' : `it defines ${defined.join(', ')}`;
      no({ code: 'unknown-dimension', message: `dimension ${input.dimension} is not defined by plan ${plan.planId} of offer ${plan.offerId} (${list})` });
      continue;
    }
    valid.push({ index, input, subscription });
  }
  return valid;
}

/**
 * The records of one request for one hour and dimension may add up to MAX_USAGE_QUANTITY: a record
 * that would take the request's total for its hour past it is refused (the ones before it are kept).
 * Hours filled across several requests are checked again when they are emitted.
 */
function withinHourBound(records: ValidRecord[], reject: (index: number, id: string | undefined, reason: Rejection, hour?: string) => void): ValidRecord[] {
  const sums = new Map<string, QuantitySum>();
  return records.filter((record) => {
    const key = bucketId(record.input);
    const sum = sums.get(key) ?? new QuantitySum();
    sums.set(key, sum);
    const before = sum.value();
    if (!sum.add(record.input.quantity).exceedsBound()) return true;
    sum.add(-record.input.quantity);
    const { dimension, hour, id } = record.input;
    reject(record.index, id, {
      code: 'hour-total-too-large',
      message: `this record would take dimension ${dimension} for the hour ${hour} to more than ${MAX_USAGE_QUANTITY.toLocaleString('en-US')} units in this request (${before} before it), the most one usage event can report`,
    }, hour);
    return false;
  });
}

/**
 * Microsoft accepts usage while a subscription is Subscribed, and after a cancellation still for
 * usage that happened before it (within the 24-hour window, checked with the record's shape):
 * marketplace-api.md §7.3, from the metered billing FAQ. Pending and Suspended are refused.
 */
function statusRefusal(subscription: SubscriptionRecord, input: UsageInput): string | undefined {
  if (subscription.status === 'Subscribed') return undefined;
  const id = input.subscriptionId;
  if (subscription.status !== 'Unsubscribed') return `subscription ${id} is ${subscription.status}; Microsoft accepts usage only while it is Subscribed (or, once cancelled, for usage before the cancellation)`;
  const cancelled = cancelledAt(subscription);
  if (cancelled !== undefined && Date.parse(input.timestamp) < Date.parse(cancelled)) return undefined;
  return `subscription ${id} was cancelled${cancelled === undefined ? '' : ` at ${cancelled}`}; Microsoft accepts usage of a cancelled subscription only for usage before the cancellation (timestamp ${input.timestamp})`;
}

/** A caller id repeated in one request: the first is stored, identical repeats are duplicates, others conflict. */
function dropRepeatedIds(records: ValidRecord[], results: RecordResult[]): ValidRecord[] {
  const seen = new Map<string, ValidRecord>();
  const out: ValidRecord[] = [];
  for (const record of records) {
    const { id, subscriptionId } = record.input;
    if (id === undefined) {
      out.push(record);
      continue;
    }
    const key = `${subscriptionId}\u0000${id}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, record);
      out.push(record);
    } else if (sameRecord(first.input, record.input)) {
      results[record.index] = { index: record.index, id, status: 'duplicate', hour: record.input.hour, reason: { code: 'repeated-in-request', message: `id ${id} appears earlier in this request (record ${first.index})` } };
    } else {
      results[record.index] = { index: record.index, id, status: 'rejected', hour: record.input.hour, reason: { code: 'id-conflict', message: `id ${id} is used earlier in this request (record ${first.index}) for different usage` } };
    }
  }
  return out;
}

function sameRecord(a: Pick<UsageInput, 'dimension' | 'quantity' | 'timestamp'>, b: Pick<UsageInput, 'dimension' | 'quantity' | 'timestamp'>): boolean {
  return a.dimension === b.dimension && a.quantity === b.quantity && a.timestamp === b.timestamp;
}

function toNewRecord(record: ValidRecord, receivedAt: string, newId: () => string): NewUsageRecord {
  const { subscriptionId, dimension, hour, quantity, timestamp, id } = record.input;
  const base = { subscriptionId, dimension, hour, quantity, timestamp, receivedAt };
  return id === undefined ? { ...base, recordId: generatedRecordId(newId()) } : { ...base, recordId: callerRecordId(id), callerId: id };
}

/** Until just after the hour ends nobody can have sealed it: append without coordination. */
export function appendMode(hour: string, now: Date): AppendMode {
  const end = Date.parse(hour) + HOUR_MS;
  return now.getTime() < end + OPEN_PATH_GRACE_MS ? { path: 'open', deadline: new Date(end + OPEN_PATH_DEADLINE_MS) } : { path: 'closed' };
}

function resultFor(record: ValidRecord, stored: NewUsageRecord, outcome: AppendOutcome): RecordResult {
  const { index, input } = record;
  const base = { index, ...(input.id === undefined ? {} : { id: input.id }), hour: input.hour };
  if (outcome.status === 'stored') {
    if (!outcome.late) return { ...base, status: 'accepted' };
    return {
      ...base,
      status: 'unbilled',
      reason: { code: 'hour-already-emitted', message: `hour ${input.hour} was already closed for billing; the record is kept and reported as unbilled (GET /api/usage)` },
    };
  }
  const { existing } = outcome;
  if (existing.quantity !== stored.quantity || existing.timestamp !== stored.timestamp) {
    return {
      ...base,
      status: 'rejected',
      reason: { code: 'id-conflict', message: `id ${String(input.id)} was already used for different usage (quantity ${existing.quantity} at ${existing.timestamp})` },
    };
  }
  if (existing.late) {
    return { ...base, status: 'duplicate', reason: { code: 'already-recorded-unbilled', message: `id ${String(input.id)} was already recorded at ${existing.receivedAt}, after its hour was closed for billing (unbilled)` } };
  }
  return { ...base, status: 'duplicate', reason: { code: 'already-recorded', message: `id ${String(input.id)} was already recorded at ${existing.receivedAt}` } };
}
