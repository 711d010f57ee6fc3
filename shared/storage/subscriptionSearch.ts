import type { SubscriptionRecord } from '../subscription/model';
import type { Page } from './continuationToken';

/**
 * The search index of the operator console. Table Storage has no substring or full-text search, and
 * a filter on a non-key column scans the whole table; so every subscription also gets a few rows in a
 * search table whose RowKey starts with a normalised term (its id, its name and each word of it, the
 * purchaser's and beneficiary's e-mail and e-mail domain, their tenant ids). A search is then one
 * RowKey range query (`ge prefix` and `lt` the next prefix): it reads only matching rows, so its cost
 * depends on the number of matches, never on the number of subscriptions. Prefix search, not
 * substring: "contoso" finds "Contoso Ltd", "ada@contoso.com" and "contoso.com".
 *
 * The index holds personal data (e-mail addresses): erasing a subscription's personal data must also
 * call `remove`. Rows may go stale (a write that changed a term without the old one being known), so
 * every hit is checked against the subscription record before it is shown.
 */
export type SearchField = 'id' | 'name' | 'email' | 'tenant';

export interface SearchTerm {
  field: SearchField;
  term: string;
}

export interface SearchHit extends SearchTerm {
  subscriptionId: string;
}

export interface SubscriptionSearchIndex {
  /** Adds these rows (idempotent) and deletes `stale` ones of the same subscription. */
  put(subscriptionId: string, terms: readonly SearchTerm[], stale?: readonly SearchTerm[]): Promise<void>;
  /** Adds the rows of many subscriptions, packed into as few round trips as possible (rebuilds, imports). */
  putMany(entries: ReadonlyArray<{ subscriptionId: string; terms: readonly SearchTerm[] }>): Promise<void>;
  /** Deletes these rows (idempotent). */
  remove(subscriptionId: string, terms: readonly SearchTerm[]): Promise<void>;
  /** Rows whose term starts with `prefix` (already normalised), in term order, a page at a time. */
  search(prefix: string, options?: { pageSize?: number; continuationToken?: string }): Promise<Page<SearchHit>>;
}

/** Terms longer than this are cut (keys are limited to 1 KiB; nobody types more). */
export const MAX_TERM_LENGTH = 120;
/** Shorter queries would match too much to be useful. */
export const MIN_QUERY_LENGTH = 2;

/** Lower case, trimmed, inner white space collapsed: what is indexed and what is looked up. */
export function normalizeSearchText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, MAX_TERM_LENGTH);
}

/** The index rows of one subscription (distinct, normalised). */
export function searchTerms(record: Pick<SubscriptionRecord, 'id' | 'name' | 'purchaser' | 'beneficiary'>): SearchTerm[] {
  const terms = new Map<string, SearchTerm>();
  const add = (field: SearchField, value: string | undefined): void => {
    const term = normalizeSearchText(value ?? '');
    if (term.length >= MIN_QUERY_LENGTH) terms.set(`${field}\n${term}`, { field, term });
  };
  add('id', record.id);
  add('name', record.name);
  const words = normalizeSearchText(record.name).split(/[\s,;:()[\]{}"'/\\|-]+/);
  if (words.length > 1) words.slice(0, 12).forEach((word) => add('name', word));
  for (const party of [record.purchaser, record.beneficiary]) {
    add('email', party?.emailId);
    add('email', party?.emailId?.split('@')[1]);
    add('tenant', party?.tenantId);
  }
  return [...terms.values()];
}

/** Terms in `before` that are not in `after`. */
export function termsRemoved(before: readonly SearchTerm[], after: readonly SearchTerm[]): SearchTerm[] {
  const kept = new Set(after.map((t) => `${t.field}\n${t.term}`));
  return before.filter((t) => !kept.has(`${t.field}\n${t.term}`));
}

export function sameTerms(a: readonly SearchTerm[], b: readonly SearchTerm[]): boolean {
  return a.length === b.length && termsRemoved(a, b).length === 0;
}

/** Does the record still have a term starting with `prefix` (a hit is never shown unchecked)? */
export function matchesSearch(record: Pick<SubscriptionRecord, 'id' | 'name' | 'purchaser' | 'beneficiary'>, prefix: string): boolean {
  return searchTerms(record).some((t) => t.term.startsWith(prefix));
}
