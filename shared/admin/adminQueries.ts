import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';
import type { ListSubscriptionsOptions } from '../storage';
import { SUBSCRIPTION_STATUSES } from '../subscription/model';

const pageSize = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be a whole number from 1 to ${max}`);

const text = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** Query string of `GET /api/subscriptions`: filters combine with AND. */
export const listQuerySchema = z
  .object({
    status: z.enum(SUBSCRIPTION_STATUSES, { error: `must be one of ${SUBSCRIPTION_STATUSES.join(', ')}` }).optional(),
    offerId: text.optional(),
    planId: text.optional(),
    isTest: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true').optional(),
    pageSize: pageSize(1_000).optional(),
    continuationToken: z.string().min(1).max(4_096).optional(),
  })
  .strict();

/** Query string of `GET /api/subscriptions/{id}`: the history page. */
export const detailQuerySchema = z
  .object({
    historyPageSize: pageSize(1_000).optional(),
    historyContinuationToken: z.string().min(1).max(4_096).optional(),
  })
  .strict();

export type DetailQuery = z.output<typeof detailQuerySchema>;

/** The function key may come as `?code=` (Azure Functions keys); it is the host's business, not a filter. */
const KEY_PARAMETER = 'code';

function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams, what: string): z.output<S> {
  const result = schema.safeParse(Object.fromEntries([...query].filter(([name]) => name !== KEY_PARAMETER)));
  if (!result.success) throw new ValidationError(`Invalid ${what} query`, formatIssues(result.error.issues));
  return result.data;
}

export function parseListQuery(query: URLSearchParams): ListSubscriptionsOptions {
  return parseQuery(listQuerySchema, query, 'subscription list');
}

export function parseDetailQuery(query: URLSearchParams): DetailQuery {
  return parseQuery(detailQuerySchema, query, 'subscription');
}

/** Subscription ids as Microsoft issues them; anything else cannot be one of ours. */
export const SUBSCRIPTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const changePlanBodySchema = z.object({ planId: text }).strict();
export const changeQuantityBodySchema = z
  .object({ quantity: z.number({ error: 'must be a whole number of seats' }).int('must be a whole number of seats').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000') })
  .strict();

/** Largest admin request body accepted. */
export const MAX_ADMIN_BODY_BYTES = 4_096;

/** The `{subscriptionId}` route value; anything but a GUID cannot name a subscription (404). */
export function subscriptionIdParam(value: string | undefined): string {
  if (value === undefined || !SUBSCRIPTION_ID_PATTERN.test(value)) throw new NotFoundError('Subscription', String(value));
  return value;
}
