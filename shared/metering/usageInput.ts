import { z } from 'zod';
import { formatIssues } from '../http/readJsonBody';
import { HOUR_MS, hourIso, hourStartMs, MICROSOFT_WINDOW_MS } from './hours';
import { quantityProblem } from './quantity';

/** Records per request and body size: a batch stays well inside one function invocation. */
export const MAX_RECORDS_PER_REQUEST = 1_000;
export const MAX_USAGE_BODY_BYTES = 1_048_576;
/** Clock skew allowed between the product and this app for "not in the future". */
export const FUTURE_TOLERANCE_MS = 60_000;
export const MAX_ID_LENGTH = 200;
export const MAX_DIMENSION_LENGTH = 100;

/** The request body: one record, or an array of 1 to 1,000 records (each checked on its own). */
export const usageBodySchema = z
  .union([z.array(z.unknown()).min(1).max(MAX_RECORDS_PER_REQUEST), z.looseObject({})], {
    error: `expected one usage record (an object) or an array of 1 to ${MAX_RECORDS_PER_REQUEST} records`,
  })
  .transform((body): unknown[] => (Array.isArray(body) ? body : [body]));

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const recordSchema = z.object({
  subscriptionId: z.string({ error: 'required (the SaaS subscription id)' }).trim().regex(GUID, 'must be a GUID'),
  dimension: z.string({ error: 'required (a dimension id of the plan)' }).trim().min(1, 'must not be empty').max(MAX_DIMENSION_LENGTH, `must be at most ${MAX_DIMENSION_LENGTH} characters`),
  // Not z.number(): it refuses Infinity (`1e999` in JSON), which deserves its own reason below.
  quantity: z.custom<number>((value) => typeof value === 'number', 'required, a JSON number'),
  timestamp: z
    .string({ error: 'required (ISO-8601 with a time zone, e.g. 2025-03-10T12:34:56Z)' })
    .trim()
    .refine((value) => ISO_WITH_ZONE.test(value) && !Number.isNaN(Date.parse(value)), 'must be ISO-8601 with a time zone, e.g. 2025-03-10T12:34:56Z'),
  id: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`).optional(),
});

export interface UsageInput {
  subscriptionId: string;
  dimension: string;
  quantity: number;
  /** Normalised to ISO UTC. */
  timestamp: string;
  /** Start of the timestamp's hour, ISO UTC. */
  hour: string;
  id?: string;
}

export const REJECTION_CODES = [
  'invalid-record',
  'invalid-quantity',
  'hour-total-too-large',
  'timestamp-in-future',
  'timestamp-too-old',
  'unknown-subscription',
  'subscription-not-subscribed',
  'unknown-plan',
  'unknown-dimension',
  'id-conflict',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export type CheckedRecord = { ok: true; input: UsageInput } | { ok: false; id?: string; reason: Rejection };

/**
 * The checks that need nothing but the record and the clock: shape, quantity, and the time window.
 * `windowMarginMs`: usage is refused when the start of its hour is older than 24 h minus this.
 */
export function checkRecordShape(raw: unknown, now: Date, windowMarginMs: number): CheckedRecord {
  const parsed = recordSchema.safeParse(raw);
  const rawId = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  if (!parsed.success) return { ok: false, id: rawId, reason: { code: 'invalid-record', message: `Malformed usage record: ${formatIssues(parsed.error.issues).join('; ')}` } };
  const record = parsed.data;
  const fail = (code: RejectionCode, message: string): CheckedRecord => ({ ok: false, id: record.id, reason: { code, message } });
  const quantityIssue = quantityProblem(record.quantity);
  if (quantityIssue !== undefined) return fail('invalid-quantity', quantityIssue);
  const at = Date.parse(record.timestamp);
  if (at > now.getTime() + FUTURE_TOLERANCE_MS) {
    return fail('timestamp-in-future', `timestamp ${new Date(at).toISOString()} is in the future (now ${now.toISOString()})`);
  }
  const earliestHour = earliestAcceptedHourMs(now, windowMarginMs);
  if (hourStartMs(at) < earliestHour) {
    const hours = Math.round((MICROSOFT_WINDOW_MS - windowMarginMs) / 3_600_000);
    return fail(
      'timestamp-too-old',
      `timestamp ${new Date(at).toISOString()} is too old: Microsoft accepts usage for 24 hours after the start of its hour, and this app accepts it for ${hours} hours so that it can still be sent (earliest hour accepted now: ${new Date(earliestHour).toISOString()})`,
    );
  }
  const input: UsageInput = { subscriptionId: record.subscriptionId, dimension: record.dimension, quantity: record.quantity, timestamp: new Date(at).toISOString(), hour: hourIso(at) };
  if (record.id !== undefined) input.id = record.id;
  return { ok: true, input };
}

/** The oldest hour whose usage is still accepted: its start must be within 24 h minus the margin. */
export function earliestAcceptedHourMs(now: Date, windowMarginMs: number): number {
  const limit = now.getTime() - MICROSOFT_WINDOW_MS + windowMarginMs;
  const start = hourStartMs(limit);
  return start === limit ? start : start + HOUR_MS;
}
