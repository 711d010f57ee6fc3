import { z } from 'zod';
import { absentIfEmpty } from '../marketplace/schemas/lenient';

/**
 * The webhook body (marketplace-api.md §4.3), parsed leniently: Microsoft says the schema grows, and
 * a 4xx to a ChangePlan/ChangeQuantity means "rejected", so only what we cannot work without is
 * required: the operation `id`, the `subscriptionId` and the `action` (any string, so `Subscribe`,
 * `Transfer` and future actions pass). Every other field is optional, kept when it is usable and
 * dropped when it is not: the truth is read back from Get Operation / Get Subscription anyway.
 */

/** Ids name table rows and URL path segments: letters, digits, `-`, `_`, `.`, at most 128 characters. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const identifier = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(IDENTIFIER, 'must be an id (letters, digits, ".", "_" or "-", at most 128 characters)');

const action = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

/** An optional field: empty values are absent (the parsers' one rule), and one that does not parse is dropped. */
const lenient = <T extends z.ZodType>(schema: T) => absentIfEmpty(schema).catch(undefined);
const text = (max: number) => lenient(z.string().trim().min(1).max(max));
const count = lenient(
  z
    .union([z.number(), z.string().trim().regex(/^\d+$/)])
    .transform(Number)
    .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
);

const payloadSchema = z.looseObject({
  id: identifier,
  subscriptionId: identifier,
  action,
  activityId: text(128),
  publisherId: text(256),
  offerId: text(256),
  planId: text(256),
  quantity: count,
  timeStamp: text(64),
  status: text(64),
  operationRequestSource: text(64),
});

/** The fields this app reads; the parsed object also keeps every other field as received. */
export type WebhookPayload = z.output<typeof payloadSchema>;

/** Older bodies named the action `operationType` (marketplace-api.md §4.3); accept it as `action`. */
export const webhookPayloadSchema = z.preprocess((value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  return record.action === undefined && record.operationType !== undefined ? { ...record, action: record.operationType } : record;
}, payloadSchema);

/** Top-level fields worth keeping in the ledger for diagnosis; `subscription` (with e-mail addresses) is not kept. */
const DIAGNOSTIC_FIELDS = [
  'id',
  'activityId',
  'subscriptionId',
  'publisherId',
  'offerId',
  'planId',
  'quantity',
  'timeStamp',
  'action',
  'status',
  'operationRequestSource',
] as const;

/** A compact JSON copy of the payload for the operation ledger, without personal data. */
export function diagnosticPayload(payload: WebhookPayload, maxLength: number): string {
  const kept = Object.fromEntries(DIAGNOSTIC_FIELDS.filter((field) => payload[field] !== undefined).map((field) => [field, payload[field]]));
  const textValue = JSON.stringify(kept);
  return textValue.length <= maxLength ? textValue : textValue.slice(0, maxLength);
}
