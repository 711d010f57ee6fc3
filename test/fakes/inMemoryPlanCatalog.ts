import { DEFAULT_PLAN_PAGE_SIZE, type CatalogPlan, type ListPlansOptions, type PlanCatalog } from '../../shared/catalog/planCatalog';
import { catalogKey, planFromEntity, planKeys, planToEntity } from '../../shared/catalog/planEntity';
import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import type { TableRow } from '../../shared/storage/entityCodec';

/** PlanCatalog in memory with the Table adapter's contract (same codec, keys, order and paging). */
export class InMemoryPlanCatalog implements PlanCatalog {
  private readonly rows = new Map<string, TableRow>();
  /** How many times `save` was called (tests that check learning happens once). */
  saves = 0;

  async get(offerId: string, planId: string): Promise<CatalogPlan | undefined> {
    const { partitionKey, rowKey } = planKeys(offerId, planId);
    await Promise.resolve();
    const row = this.rows.get(`${partitionKey}\u0000${rowKey}`);
    return row === undefined ? undefined : planFromEntity(row);
  }

  async save(plans: readonly CatalogPlan[]): Promise<void> {
    const rows = plans.map(planToEntity);
    await Promise.resolve();
    this.saves += 1;
    for (const row of rows) this.rows.set(`${row.partitionKey}\u0000${row.rowKey}`, row);
  }

  listByOffer(offerId: string, options: ListPlansOptions = {}): Promise<Page<CatalogPlan>> {
    const partition = catalogKey(offerId);
    return this.page((row) => row.partitionKey === partition, options);
  }

  list(options: ListPlansOptions = {}): Promise<Page<CatalogPlan>> {
    return this.page(() => true, options);
  }

  private async page(matches: (row: TableRow) => boolean, options: ListPlansOptions): Promise<Page<CatalogPlan>> {
    await Promise.resolve();
    const size = checkPageSize(options.pageSize, DEFAULT_PLAN_PAGE_SIZE);
    const position = options.continuationToken === undefined ? undefined : decodeContinuationToken(options.continuationToken);
    const sorted = [...this.rows.values()]
      .filter(matches)
      .filter((r) => position === undefined || r.partitionKey > position.nextPartitionKey || (r.partitionKey === position.nextPartitionKey && r.rowKey >= (position.nextRowKey ?? '')))
      .sort((a, b) => (a.partitionKey === b.partitionKey ? (a.rowKey < b.rowKey ? -1 : 1) : a.partitionKey < b.partitionKey ? -1 : 1));
    const items = sorted.slice(0, size).map(planFromEntity);
    const next = sorted[size];
    return next === undefined ? { items } : { items, continuationToken: encodeContinuationToken({ nextPartitionKey: next.partitionKey, nextRowKey: next.rowKey }) };
  }
}
