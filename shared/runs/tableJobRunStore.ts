import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import { createTableClient, ensureTable, type StorageSettings } from '../storage/storageSettings';
import { translateTableError } from '../storage/tableErrors';
import { isValidTableName } from '../storage/tableNames';
import { isEntityNotFound } from '../storage/versionedTable';
import { ConfigurationError } from '../errors';
import { JOB_NAMES, type JobName, type JobRun, type JobRunStore } from './jobRuns';
import { JOB_RUN_PARTITION, jobRunFromEntity, jobRunKeys, jobRunToEntity } from './jobRunEntity';

export const JOB_RUN_TABLE = 'jobruns';

/** JobRunStore on an Azure (or Azurite) table: one row per job, replaced by each run (last writer wins). */
export class TableJobRunStore implements JobRunStore {
  constructor(private readonly client: TableClient) {}

  async save(run: JobRun): Promise<void> {
    try {
      await ensureTable(this.client);
      await this.client.upsertEntity(jobRunToEntity(run), 'Replace');
    } catch (error) {
      throw translateTableError(error, { resource: 'JobRun', id: run.job });
    }
  }

  async latest(job: JobName): Promise<JobRun | undefined> {
    const { partitionKey, rowKey } = jobRunKeys(job);
    try {
      await ensureTable(this.client);
      return jobRunFromEntity(await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw translateTableError(error, { resource: 'JobRun', id: job });
    }
  }

  async list(): Promise<JobRun[]> {
    const runs: JobRun[] = [];
    try {
      await ensureTable(this.client);
      const rows = this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${JOB_RUN_PARTITION}` } });
      for await (const row of rows) runs.push(jobRunFromEntity(row));
    } catch (error) {
      throw translateTableError(error, { resource: 'JobRuns', id: JOB_RUN_PARTITION });
    }
    return runs.sort((a, b) => JOB_NAMES.indexOf(a.job) - JOB_NAMES.indexOf(b.job));
  }
}

/** The job run record on the app's storage account (no request until first use). */
export function createJobRunStore(settings: StorageSettings): JobRunStore {
  const name = `${settings.tableNamePrefix ?? ''}${JOB_RUN_TABLE}`;
  if (!isValidTableName(name)) throw new ConfigurationError([`table name prefix gives the invalid table name "${name}"`]);
  return new TableJobRunStore(createTableClient(settings, name));
}
