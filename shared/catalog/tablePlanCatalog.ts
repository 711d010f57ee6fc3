import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { Page } from '../storage/continuationToken';
import { ensureTable } from '../storage/storageSettings';
import { translateTableError } from '../storage/tableErrors';
import { readPage } from '../storage/tablePaging';
import { isEntityNotFound } from '../storage/versionedTable';
import { DEFAULT_PLAN_PAGE_SIZE, type CatalogPlan, type ListPlansOptions, type PlanCatalog } from './planCatalog';
import { catalogKey, planFromEntity, planKeys, planToEntity } from './planEntity';

/** Entity-group transactions hold at most 100 operations. */
const MAX_TRANSACTION = 100;

/** PlanCatalog on an Azure (or Azurite) table. */
export class TablePlanCatalog implements PlanCatalog {
  constructor(private readonly client: TableClient) {}

  async get(offerId: string, planId: string): Promise<CatalogPlan | undefined> {
    const { partitionKey, rowKey } = planKeys(offerId, planId);
    try {
      await ensureTable(this.client);
      return planFromEntity(await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw translateTableError(error, { resource: 'Plan', id: `${offerId}/${planId}` });
    }
  }

  /**
   * Upserts (Replace) in one transaction per offer and 100 plans: each row is a snapshot of what
   * Microsoft listed, never read-modified-written, so the newest copy simply wins.
   */
  async save(plans: readonly CatalogPlan[]): Promise<void> {
    const byOffer = new Map<string, CatalogPlan[]>();
    for (const plan of plans) byOffer.set(plan.offerId, [...(byOffer.get(plan.offerId) ?? []), plan]);
    try {
      await ensureTable(this.client);
      for (const [, offerPlans] of byOffer) {
        const unique = [...new Map(offerPlans.map((p) => [p.planId, p])).values()];
        for (let start = 0; start < unique.length; start += MAX_TRANSACTION) {
          const actions: TransactionAction[] = unique.slice(start, start + MAX_TRANSACTION).map((p) => ['upsert', planToEntity(p), 'Replace']);
          await this.client.submitTransaction(actions);
        }
      }
    } catch (error) {
      throw translateTableError(error, { resource: 'Plans', id: [...byOffer.keys()].join(',') });
    }
  }

  listByOffer(offerId: string, options: ListPlansOptions = {}): Promise<Page<CatalogPlan>> {
    return this.page(() => odata`PartitionKey eq ${catalogKey(offerId)}`, options);
  }

  list(options: ListPlansOptions = {}): Promise<Page<CatalogPlan>> {
    return this.page(() => undefined, options);
  }

  private page(filter: () => string | undefined, options: ListPlansOptions): Promise<Page<CatalogPlan>> {
    return readPage(this.client, {
      filter,
      pageSize: options.pageSize,
      defaultPageSize: DEFAULT_PLAN_PAGE_SIZE,
      continuationToken: options.continuationToken,
      resource: 'Plans',
      decode: planFromEntity,
    });
  }
}
