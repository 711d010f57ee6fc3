import { z } from 'zod';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';

/**
 * One message on the `operations` queue: "process this marketplace operation". Small on purpose;
 * everything else is in the operation ledger or read back from the Marketplace API. `check` counts
 * how often the message was put back to wait for the operation to reach a final status.
 */
export const OPERATION_MESSAGE_VERSION = 1;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be an id');

export const operationMessageSchema = z.object({
  v: z.literal(OPERATION_MESSAGE_VERSION).default(OPERATION_MESSAGE_VERSION),
  operationId: id,
  subscriptionId: id,
  action: z.string().min(1).max(64),
  check: z.number().int().nonnegative().max(10_000).optional(),
});

export type OperationMessage = z.output<typeof operationMessageSchema>;

/** Parses a queue message (as the trigger hands it over); ValidationError when it is not one of ours. */
export function parseOperationMessage(message: unknown): OperationMessage {
  const result = operationMessageSchema.safeParse(message);
  if (!result.success) throw new ValidationError('Not an operation message', formatIssues(result.error.issues));
  return result.data;
}

export function operationMessage(operationId: string, subscriptionId: string, action: string, check?: number): OperationMessage {
  return check === undefined
    ? { v: OPERATION_MESSAGE_VERSION, operationId, subscriptionId, action }
    : { v: OPERATION_MESSAGE_VERSION, operationId, subscriptionId, action, check };
}
