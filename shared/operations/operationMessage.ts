import { z } from 'zod';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';

/**
 * One message on the `operations` queue: "process this marketplace operation". Small on purpose;
 * everything else is in the operation ledger or read back from the Marketplace API. `check` counts
 * how often the message was put back to wait for the operation to reach a final status.
 *
 * `receivedAt` and `etag` are the ledger row's receipt time and current ETag, as the intake (or the
 * worker that put the message back) wrote them: with them the worker does not read the row before it
 * starts, and settles it at the end with one ETag-conditional merge (a stale ETag costs one re-read
 * then). A message without them (a repeat delivery's, an older one, a replay) makes the worker read
 * the row first, which also stops a repeat of a finished operation at once.
 */
export const OPERATION_MESSAGE_VERSION = 1;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be an id');

export const operationMessageSchema = z.object({
  v: z.literal(OPERATION_MESSAGE_VERSION).default(OPERATION_MESSAGE_VERSION),
  operationId: id,
  subscriptionId: id,
  action: z.string().min(1).max(64),
  check: z.number().int().nonnegative().max(10_000).optional(),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
  etag: z.string().min(1).max(256).optional(),
});

export type OperationMessage = z.output<typeof operationMessageSchema>;

/** Parses a queue message (as the trigger hands it over); ValidationError when it is not one of ours. */
export function parseOperationMessage(message: unknown): OperationMessage {
  const result = operationMessageSchema.safeParse(message);
  if (!result.success) throw new ValidationError('Not an operation message', formatIssues(result.error.issues));
  return result.data;
}

/** The ledger row's version as a message carries it (see above). */
export interface RowVersion {
  receivedAt: string;
  etag: string;
}

export function operationMessage(operationId: string, subscriptionId: string, action: string, extra: { check?: number; row?: RowVersion } = {}): OperationMessage {
  const { check, row } = extra;
  return {
    v: OPERATION_MESSAGE_VERSION,
    operationId,
    subscriptionId,
    action,
    ...(check === undefined ? {} : { check }),
    ...(row === undefined ? {} : { receivedAt: row.receivedAt, etag: row.etag }),
  };
}
