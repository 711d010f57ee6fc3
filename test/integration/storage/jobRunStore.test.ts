import { TableClient } from '@azure/data-tables';
import { createJobRunStore, type JobRun } from '../../../shared/runs';
import { useAzurite } from '../../support/useAzurite';

const azurite = useAzurite();
let prefixes = 0;

function freshPrefix(): string {
  prefixes += 1;
  return `r${process.pid}x${prefixes}`;
}

const finished: JobRun = {
  job: 'usageEmission',
  runId: 'run-2',
  startedAt: '2026-03-02T12:10:00.000Z',
  finishedAt: '2026-03-02T12:10:04.000Z',
  outcome: 'partial',
  counts: { claimed: 3, emitted: 2, rejected: 1 },
};

describe('TableJobRunStore on Azurite', () => {
  it('creates its table on first use and answers nothing for a job that never ran', async () => {
    // Prepare
    const store = createJobRunStore({ connectionString: azurite().connectionString, tableNamePrefix: freshPrefix() });

    // Act
    const latest = await store.latest('reconciliation');
    const all = await store.list();

    // Assess
    expect(latest).toBeUndefined();
    expect(all).toEqual([]);
  });

  it('keeps one row per job, replaced by each run, counts as JSON', async () => {
    // Prepare
    const prefix = freshPrefix();
    const store = createJobRunStore({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    await store.save({ job: 'usageEmission', runId: 'run-2', startedAt: finished.startedAt, outcome: 'running', counts: {} });
    await store.save({ job: 'reconciliation', runId: 'run-1', startedAt: '2026-03-02T12:20:00.000Z', finishedAt: '2026-03-02T12:21:00.000Z', outcome: 'failed', counts: {}, error: 'DependencyUnavailableError: marketplace' });

    // Act
    await store.save(finished);

    // Assess
    expect(await store.latest('usageEmission')).toEqual(finished);
    expect((await store.list()).map((run) => [run.job, run.outcome])).toEqual([
      ['reconciliation', 'failed'],
      ['usageEmission', 'partial'],
    ]);
    const raw = TableClient.fromConnectionString(azurite().connectionString, `${prefix}jobruns`, { allowInsecureConnection: true });
    const row = await raw.getEntity<Record<string, unknown>>('lastRun', 'usageEmission');
    expect(row.counts).toBe('{"claimed":3,"emitted":2,"rejected":1}');
  });
});
