import type { TableClient } from '@azure/data-tables';
import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from './continuationToken';
import { ensureTable } from './storageSettings';
import { translateTableError } from './tableErrors';

/** Bound on service round trips spent filling one page when the service returns short pages. */
const MAX_REQUESTS_PER_PAGE = 10;

export interface PageQuery<T> {
  /** Builds (and validates the inputs of) the OData filter; runs inside the returned promise. */
  filter(): string | undefined;
  pageSize: number | undefined;
  defaultPageSize: number;
  continuationToken?: string;
  decode(entity: Record<string, unknown>): T;
  /** For error messages. */
  resource: string;
}

/**
 * Reads up to `pageSize` rows from where `continuationToken` points. The service may return short
 * or empty pages with a token (partition boundaries, 5 s limits), so this keeps reading until the
 * page is full, the rows run out, or a few round trips have been spent.
 */
export async function readPage<T>(client: TableClient, query: PageQuery<T>): Promise<Page<T>> {
  const filter = query.filter();
  const pageSize = checkPageSize(query.pageSize, query.defaultPageSize);
  let token = query.continuationToken === undefined ? undefined : encodeContinuationToken(decodeContinuationToken(query.continuationToken));
  const items: T[] = [];
  try {
    await ensureTable(client);
  } catch (error) {
    throw translateTableError(error, { resource: query.resource, id: '(list)' });
  }
  for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request += 1) {
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: filter === undefined ? {} : { filter } })
      .byPage({ maxPageSize: pageSize - items.length, continuationToken: token });
    let page;
    try {
      page = await pages.next();
    } catch (error) {
      throw translateTableError(error, { resource: query.resource, id: '(list)' });
    }
    if (page.done === true) break;
    items.push(...page.value.map((entity) => query.decode(entity)));
    token = page.value.continuationToken;
    if (token === undefined || items.length >= pageSize) break;
  }
  return token === undefined ? { items } : { items, continuationToken: token };
}
