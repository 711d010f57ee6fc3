import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../lazySdk';
import { checkPageSize, decodeContinuationToken, type Page } from './continuationToken';
import { ensureTable } from './storageSettings';
import type { SearchField, SearchHit, SearchTerm, SubscriptionSearchIndex } from './subscriptionSearch';
import { translateTableError } from './tableErrors';

/**
 * SubscriptionSearchIndex on a table: one partition, RowKey `<term>~<field>~<subscription id>` with
 * the term percent-encoded (keys refuse `/ \ # ?`; the encoding keeps prefixes prefixes). A record's
 * rows are written in one entity group transaction (one round trip).
 */
const PARTITION = 'term';
const DEFAULT_PAGE_SIZE = 50;
/** An entity group transaction holds at most 100 operations. */
const MAX_BATCH = 100;

function encodeTerm(term: string): string {
  return encodeURIComponent(term);
}

function rowKey(subscriptionId: string, term: SearchTerm): string {
  return `${encodeTerm(term.term)}~${term.field}~${subscriptionId}`;
}

/** The smallest string greater than every string starting with `prefix`. */
function after(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function upserts(subscriptionId: string, terms: readonly SearchTerm[]): TransactionAction[] {
  return terms.map((t) => ['upsert', { partitionKey: PARTITION, rowKey: rowKey(subscriptionId, t), subscriptionId, field: t.field, term: t.term }, 'Replace']);
}

export class TableSubscriptionSearchIndex implements SubscriptionSearchIndex {
  constructor(private readonly client: TableClient) {}

  private async submit(actions: TransactionAction[]): Promise<void> {
    try {
      await ensureTable(this.client);
      for (let start = 0; start < actions.length; start += MAX_BATCH) await this.client.submitTransaction(actions.slice(start, start + MAX_BATCH));
    } catch (error) {
      throw translateTableError(error, { resource: 'SearchIndex', id: '(batch)' });
    }
  }

  put(subscriptionId: string, terms: readonly SearchTerm[], stale: readonly SearchTerm[] = []): Promise<void> {
    // A delete of a row that is not there fails the whole batch, so stale rows go one by one, after.
    return this.submit(upserts(subscriptionId, terms)).then(() => this.remove(subscriptionId, stale));
  }

  putMany(entries: ReadonlyArray<{ subscriptionId: string; terms: readonly SearchTerm[] }>): Promise<void> {
    return this.submit(entries.flatMap((entry) => upserts(entry.subscriptionId, entry.terms)));
  }

  async remove(subscriptionId: string, terms: readonly SearchTerm[]): Promise<void> {
    await Promise.all(
      terms.map((t) =>
        this.client.deleteEntity(PARTITION, rowKey(subscriptionId, t)).catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 404) throw translateTableError(error, { resource: 'SearchIndex', id: subscriptionId });
        }),
      ),
    );
  }

  async search(prefix: string, options: { pageSize?: number; continuationToken?: string } = {}): Promise<Page<SearchHit>> {
    const pageSize = checkPageSize(options.pageSize, DEFAULT_PAGE_SIZE);
    if (options.continuationToken !== undefined) decodeContinuationToken(options.continuationToken);
    const from = encodeTerm(prefix);
    const filter = odata`PartitionKey eq ${PARTITION} and RowKey ge ${from} and RowKey lt ${after(from)}`;
    try {
      await ensureTable(this.client);
      const pages = this.client
        .listEntities<{ subscriptionId: string; field: string; term: string }>({ queryOptions: { filter, select: ['subscriptionId', 'field', 'term'] } })
        .byPage({ maxPageSize: pageSize, continuationToken: options.continuationToken });
      const page = await pages.next();
      if (page.done === true) return { items: [] };
      const items = page.value.map((e) => ({ subscriptionId: e.subscriptionId, field: e.field as SearchField, term: e.term }));
      return page.value.continuationToken === undefined ? { items } : { items, continuationToken: page.value.continuationToken };
    } catch (error) {
      throw translateTableError(error, { resource: 'SearchIndex', id: '(search)' });
    }
  }
}
