import { z } from 'zod';

/**
 * Building blocks for parsing what Microsoft sends without breaking when it grows: `null` and
 * absent are the same (both become `undefined`), enum-like strings are trimmed and kept even when
 * unknown, numbers may arrive as numeric strings.
 */

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * The one rule for empty values: Microsoft prints `""` (and `"  "`) where a field has no value, e.g.
 * `"quantity": ""` for plans that are not per seat (the List Subscriptions example). Every optional
 * field of every parser (subscription, Resolve, webhook, list pages) reads such a value as absent.
 */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** `schema` made optional under the one rule: null, absent, `""` and blanks all become `undefined`. */
export function absentIfEmpty<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (isEmptyValue(value) ? undefined : value), schema.optional());
}

/** A string enum Microsoft may extend: known literals for completion, any string accepted. */
export type Open<T extends string> = T | (string & {});

/** Trimmed string (doc samples contain `" Subscribed "`). */
export const trimmed = z.string().transform((value) => value.trim());

/** String as received; null, absent, `""` and blanks → undefined. */
export const optionalString = absentIfEmpty(z.string());

/** Trimmed string; null, absent, `""` and blanks → undefined. */
export const optionalTrimmed = absentIfEmpty(z.string().transform((value) => value.trim()));

/** Boolean; null, absent and `""` → undefined. */
export const optionalBoolean = absentIfEmpty(z.boolean());

/** Number or numeric string (`"20"`); null, absent, `""` and blanks → undefined. */
export const optionalNumber = absentIfEmpty(z.union([z.number(), z.string().regex(NUMERIC)]).transform((value) => Number(value)));

/** Required number that may arrive as a numeric string. */
export const lenientNumber = z.union([z.number(), z.string().regex(NUMERIC)]).transform((value) => Number(value));

/** Microsoft's "no date" value: `0001-01-01T00:00:00` (seen in every listed `lastModified`). */
export function isDateSentinel(value: string): boolean {
  return value.trim().startsWith('0001-01-01');
}

/** An ISO date-time kept as the string received; null, empty and the year-1 sentinel → undefined. */
export const optionalDate = absentIfEmpty(z.string().transform((value) => (isDateSentinel(value) ? undefined : value.trim())));

export const optionalStringArray = z
  .array(trimmed)
  .nullish()
  .transform((value) => value ?? undefined);

/** Any JSON value, for fields whose meaning is unconfirmed. */
export const anything = z.unknown();

/** A list item that did not parse: its position, its id when it has one, and what failed (paths, never values). */
export interface UnparseableItem {
  index: number;
  id?: string;
  problems: string;
}

export interface LenientList<T> {
  items: T[];
  unparseable: UnparseableItem[];
}

/** The failing paths and codes of a zod error, never the values (which may hold e-mail addresses). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
}

/**
 * An array whose items are parsed one by one: an item that does not parse is set aside (with its
 * `id` when it has a string one) and the others are kept, so one odd item never fails a page.
 */
export function lenientArray<T>(item: z.ZodType<T>) {
  return z.array(z.unknown()).transform((values): LenientList<T> => {
    const list: LenientList<T> = { items: [], unparseable: [] };
    values.forEach((value, index) => {
      const parsed = item.safeParse(value);
      if (parsed.success) {
        list.items.push(parsed.data);
        return;
      }
      const rawId = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
      list.unparseable.push({ index, ...(typeof rawId === 'string' && rawId.trim() !== '' ? { id: rawId.trim() } : {}), problems: describeIssues(parsed.error.issues) });
    });
    return list;
  });
}

/**
 * A list Microsoft documents as `{ <key>: [...] }` that Microsoft's own SaaS API emulator answers
 * as a bare array (outstanding operations, and `[]` for the plans of an unknown subscription):
 * both shapes give the array.
 */
export function wrappedOrBareArray<T>(key: string, item: z.ZodType<T>): z.ZodType<T[]> {
  return z.union([
    z.array(item),
    z.looseObject({ [key]: z.array(item).nullish() }).transform((body) => body[key] ?? []),
  ]);
}
