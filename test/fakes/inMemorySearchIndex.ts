import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import type { SearchHit, SearchTerm, SubscriptionSearchIndex } from '../../shared/storage/subscriptionSearch';

/** SubscriptionSearchIndex in memory: rows ordered by term, field and id, as the table orders its RowKeys. */
export class InMemorySearchIndex implements SubscriptionSearchIndex {
  readonly rows = new Map<string, SearchHit>();

  private static key(subscriptionId: string, term: SearchTerm): string {
    return `${encodeURIComponent(term.term)}~${term.field}~${subscriptionId}`;
  }

  async put(subscriptionId: string, terms: readonly SearchTerm[], stale: readonly SearchTerm[] = []): Promise<void> {
    await Promise.resolve();
    for (const term of terms) this.rows.set(InMemorySearchIndex.key(subscriptionId, term), { subscriptionId, ...term });
    await this.remove(subscriptionId, stale);
  }

  async putMany(entries: ReadonlyArray<{ subscriptionId: string; terms: readonly SearchTerm[] }>): Promise<void> {
    for (const entry of entries) await this.put(entry.subscriptionId, entry.terms);
  }

  async remove(subscriptionId: string, terms: readonly SearchTerm[]): Promise<void> {
    await Promise.resolve();
    for (const term of terms) this.rows.delete(InMemorySearchIndex.key(subscriptionId, term));
  }

  async search(prefix: string, options: { pageSize?: number; continuationToken?: string } = {}): Promise<Page<SearchHit>> {
    await Promise.resolve();
    const pageSize = checkPageSize(options.pageSize, 50);
    const from = options.continuationToken === undefined ? encodeURIComponent(prefix) : (decodeContinuationToken(options.continuationToken).nextRowKey ?? '');
    const keys = [...this.rows.keys()].filter((key) => key.startsWith(encodeURIComponent(prefix)) && key >= from).sort();
    const items = keys.slice(0, pageSize).map((key) => this.rows.get(key) as SearchHit);
    const next = keys[pageSize];
    return next === undefined ? { items } : { items, continuationToken: encodeContinuationToken({ nextPartitionKey: 'term', nextRowKey: next }) };
  }
}
