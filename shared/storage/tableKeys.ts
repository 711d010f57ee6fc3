import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';

/**
 * Table Storage refuses `/ \ # ?` and control characters in PartitionKey and RowKey (Azurite even
 * answers 500 for `/`), and limits each key to 1 KiB (512 UTF-16 code units).
 */
export const MAX_KEY_LENGTH = 512;

function isForbiddenKeyCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return '/\\#?'.includes(char) || code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** Returns `value` when it can be used as a PartitionKey or RowKey; otherwise throws ValidationError. */
export function assertValidKey(value: string, what: string): string {
  const issues: string[] = [];
  if (typeof value !== 'string' || value.length === 0) issues.push(`${what} must be a non-empty string`);
  else {
    if (value.length > MAX_KEY_LENGTH) issues.push(`${what} must be at most ${MAX_KEY_LENGTH} characters`);
    if ([...value].some(isForbiddenKeyCharacter)) issues.push(`${what} must not contain / \\ # ? or control characters`);
  }
  if (issues.length > 0) throw new ValidationError(`Invalid ${what}`, issues);
  return value;
}

/**
 * A fixed-length, key-safe digest of an arbitrary caller-chosen string (e.g. an idempotency key that
 * may contain any character). 32 hex characters = 128 bits: collisions are not a practical concern.
 */
export function keyDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}
