import { z } from 'zod';

/**
 * Building blocks for parsing what Microsoft sends without breaking when it grows: `null` and
 * absent are the same (both become `undefined`), enum-like strings are trimmed and kept even when
 * unknown, numbers may arrive as numeric strings.
 */

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/** A string enum Microsoft may extend: known literals for completion, any string accepted. */
export type Open<T extends string> = T | (string & {});

/** Trimmed string (doc samples contain `" Subscribed "`). */
export const trimmed = z.string().transform((value) => value.trim());

export const optionalString = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

export const optionalTrimmed = z
  .string()
  .nullish()
  .transform((value) => (value == null ? undefined : value.trim()));

export const optionalBoolean = z
  .boolean()
  .nullish()
  .transform((value) => value ?? undefined);

/** Number, numeric string (`"20"`) or null/absent → number | undefined. */
export const optionalNumber = z
  .union([z.number(), z.string().regex(NUMERIC)])
  .nullish()
  .transform((value) => (value == null ? undefined : Number(value)));

/** Required number that may arrive as a numeric string. */
export const lenientNumber = z.union([z.number(), z.string().regex(NUMERIC)]).transform((value) => Number(value));

/** Microsoft's "no date" value: `0001-01-01T00:00:00` (seen in every listed `lastModified`). */
export function isDateSentinel(value: string): boolean {
  return value.trim().startsWith('0001-01-01');
}

/** An ISO date-time kept as the string received; null, empty and the year-1 sentinel → undefined. */
export const optionalDate = z
  .string()
  .nullish()
  .transform((value) => (value == null || value.trim() === '' || isDateSentinel(value) ? undefined : value.trim()));

export const optionalStringArray = z
  .array(trimmed)
  .nullish()
  .transform((value) => value ?? undefined);

/** Any JSON value, for fields whose meaning is unconfirmed. */
export const anything = z.unknown();
