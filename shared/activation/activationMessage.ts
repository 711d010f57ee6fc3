import { z } from 'zod';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';
import { isIsoDateTime } from '../subscription/events';

/**
 * The message on QUEUE_NAMES.activations: "activate this purchase". Sent by the landing page (at
 * once in `automatic` mode, after the buyer's click in `confirm` mode) and read by the
 * activateSubscription queue function. `requestId` ties the landing page's ActivationRequested
 * history row to the activation's rows and to the ISV `activated` event id, and stays the same
 * across the queue's retries of this message.
 */
export interface ActivationMessage {
  subscriptionId: string;
  /** The purchased plan (Activate must send it unchanged). */
  planId: string;
  /** Seats, per-seat plans only. */
  quantity?: number;
  requestId: string;
  /** ISO time the activation was requested. */
  requestedAt: string;
}

export const activationMessageSchema: z.ZodType<ActivationMessage> = z.object({
  subscriptionId: z.string().trim().min(1, 'must not be empty'),
  planId: z.string().trim().min(1, 'must not be empty'),
  quantity: z.number().int().positive().optional(),
  requestId: z.string().trim().min(1, 'must not be empty').max(200),
  requestedAt: z.string().refine(isIsoDateTime, 'must be an ISO-8601 date-time with a zone'),
});

/** The queue trigger hands over parsed JSON (or the raw text when it is not JSON). */
export function parseActivationMessage(value: unknown): ActivationMessage {
  const result = activationMessageSchema.safeParse(value);
  if (!result.success) throw new ValidationError('Activation message is invalid', formatIssues(result.error.issues));
  return result.data;
}
