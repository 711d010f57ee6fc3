import { z } from 'zod';
import { ValidationError } from '../errors';

/**
 * Paging position: the next partition and row key to read. Encoded exactly like the
 * `@azure/data-tables` continuation token (base64 of this JSON), so the Azure adapter hands tokens
 * through and the fakes produce the same shape. Callers treat the token as opaque.
 */
export interface TablePosition {
  nextPartitionKey: string;
  nextRowKey?: string;
}

const positionSchema = z.object({ nextPartitionKey: z.string().min(1), nextRowKey: z.string().optional() });

export function encodeContinuationToken(position: TablePosition): string {
  const json = JSON.stringify(position.nextRowKey ? position : { nextPartitionKey: position.nextPartitionKey });
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Decodes a token received from a caller; anything we did not produce → ValidationError. */
export function decodeContinuationToken(token: string): TablePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch (error) {
    throw new ValidationError('Invalid continuation token', ['not a token produced by this store'], { cause: error });
  }
  const result = positionSchema.safeParse(parsed);
  if (!result.success) throw new ValidationError('Invalid continuation token', ['not a token produced by this store']);
  return result.data;
}

/** Page size option checked against the service maximum (1,000 entities per page). */
export function checkPageSize(value: number | undefined, fallback: number): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new ValidationError('Invalid page size', [`page size must be an integer from 1 to 1000, got ${String(value)}`]);
  }
  return size;
}

/** One page of results; a `continuationToken` means more may follow (a page may be short, even empty). */
export interface Page<T> {
  items: T[];
  continuationToken?: string;
}
