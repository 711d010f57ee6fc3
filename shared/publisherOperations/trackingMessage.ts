import { z } from 'zod';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';

/**
 * One message on the `publisher-operations` queue: "poll this publisher-initiated operation again".
 * The request's ledger row (keyed by `requestId`) holds everything else; `delaySeconds` is the wait
 * that preceded this poll, so the next one can double it.
 */
export const TRACKING_MESSAGE_VERSION = 1;

/** Operation and request ids: what the ledger accepts as a key and a URL segment carries as is. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const PUBLISHER_ACTIONS = ['ChangePlan', 'ChangeQuantity', 'Unsubscribe'] as const;
export type PublisherAction = (typeof PUBLISHER_ACTIONS)[number];

const id = z.string().regex(ID_PATTERN, 'must be an id');

export const trackingMessageSchema = z.object({
  v: z.literal(TRACKING_MESSAGE_VERSION).default(TRACKING_MESSAGE_VERSION),
  requestId: id,
  subscriptionId: id,
  operationId: z.string().min(1).max(128),
  operationLocation: z.url({ protocol: /^https?$/ }),
  action: z.enum(PUBLISHER_ACTIONS),
  delaySeconds: z.number().int().min(0).max(3_600),
});

export type TrackingMessage = z.output<typeof trackingMessageSchema>;

/** Parses a queue message; ValidationError when it is not one of ours (it then ends in the poison queue). */
export function parseTrackingMessage(message: unknown): TrackingMessage {
  const result = trackingMessageSchema.safeParse(message);
  if (!result.success) throw new ValidationError('Not a publisher operation tracking message', formatIssues(result.error.issues));
  return result.data;
}

/**
 * Seconds to wait before the next poll: Microsoft's `Retry-After` (10 s, observed) first, then
 * doubling, never more than `maxSeconds` and never less than 1.
 */
export function nextPollDelaySeconds(previousSeconds: number | undefined, retryAfterSeconds: number | undefined, maxSeconds: number): number {
  const wanted = previousSeconds === undefined ? (retryAfterSeconds ?? DEFAULT_FIRST_POLL_SECONDS) : previousSeconds * 2;
  return Math.max(1, Math.min(maxSeconds, Math.ceil(wanted)));
}

/** Without a `Retry-After`: Microsoft sends 10 on every observed 202. */
export const DEFAULT_FIRST_POLL_SECONDS = 10;
