import { z } from 'zod';
import { redactText } from '../logging';
import { finishEntity, jsonColumn, parseStoredEntity, timestampColumn, type TableRow } from '../storage/entityCodec';
import { JOB_NAMES, RUN_OUTCOMES, type JobName, type JobRun } from './jobRuns';

/** One partition, one row per job: the table stays a handful of rows whatever the history. */
export const JOB_RUN_PARTITION = 'lastRun';

const MAX_ERROR_LENGTH = 500;

const storedRun = z.object({
  partitionKey: z.literal(JOB_RUN_PARTITION),
  rowKey: z.enum(JOB_NAMES),
  runId: z.string(),
  startedAt: timestampColumn,
  finishedAt: timestampColumn.optional(),
  outcome: z.enum(RUN_OUTCOMES),
  counts: jsonColumn(z.record(z.string(), z.number())),
  error: z.string().optional(),
});

export function jobRunKeys(job: JobName): { partitionKey: string; rowKey: string } {
  return { partitionKey: JOB_RUN_PARTITION, rowKey: job };
}

export function jobRunToEntity(run: JobRun): TableRow {
  return finishEntity(
    {
      ...jobRunKeys(run.job),
      runId: run.runId,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      outcome: run.outcome,
      counts: JSON.stringify(run.counts),
      error: run.error === undefined ? undefined : redactText(run.error).slice(0, MAX_ERROR_LENGTH),
    },
    'JobRun',
  );
}

export function jobRunFromEntity(entity: Record<string, unknown>): JobRun {
  const row = parseStoredEntity(storedRun, entity, 'JobRun');
  const run: JobRun = { job: row.rowKey, runId: row.runId, startedAt: row.startedAt, outcome: row.outcome, counts: row.counts };
  if (row.finishedAt !== undefined) run.finishedAt = row.finishedAt;
  if (row.error !== undefined) run.error = row.error;
  return run;
}
