import { ConfigurationError } from '../errors';
import { createTableClient, type StorageSettings } from '../storage/storageSettings';
import { isValidTableName } from '../storage/tableNames';
import type { PlanCatalog } from './planCatalog';
import { TablePlanCatalog } from './tablePlanCatalog';

export const PLAN_TABLE = 'plans';

/** The plan catalog on the app's storage account (no request until first use). */
export function createPlanCatalog(settings: StorageSettings): PlanCatalog {
  const name = `${settings.tableNamePrefix ?? ''}${PLAN_TABLE}`;
  if (!isValidTableName(name)) throw new ConfigurationError([`table name prefix gives the invalid table name "${name}"`]);
  return new TablePlanCatalog(createTableClient(settings, name));
}
