import { fixedClock } from '../../../shared/clock';
import { createLogger, type LogFields } from '../../../shared/logging';
import { recordRun, type RecordRunOptions } from '../../../shared/runs';
import { InMemoryJobRunStore } from '../../fakes/inMemoryJobRunStore';

interface Report {
  done: number;
  failed: number;
}

function setup() {
  const clock = fixedClock('2026-03-02T12:20:00.000Z');
  const runs = new InMemoryJobRunStore();
  const warnings: Array<{ message: string; fields: LogFields }> = [];
  const logger = createLogger((level, message, fields) => {
    if (level === 'warn') warnings.push({ message, fields });
  });
  const options: RecordRunOptions<Report> = {
    runs,
    job: 'reconciliation',
    runId: 'run-1',
    startedAt: clock.now().toISOString(),
    clock,
    logger,
    summarize: (report) => ({ outcome: report.failed > 0 ? 'partial' : 'succeeded', counts: { ...report } }),
  };
  return { clock, runs, warnings, options };
}

describe('recordRun', () => {
  it('records the run as running while it works, then its end, outcome and counts', async () => {
    // Prepare
    const { clock, runs, options } = setup();
    let whileRunning: unknown;

    // Act
    const result = await recordRun(options, async () => {
      whileRunning = await runs.latest('reconciliation');
      clock.advance(90_000);
      return { done: 3, failed: 0 };
    });

    // Assess
    expect(result).toEqual({ done: 3, failed: 0 });
    expect(whileRunning).toEqual({ job: 'reconciliation', runId: 'run-1', startedAt: '2026-03-02T12:20:00.000Z', outcome: 'running', counts: {} });
    expect(await runs.latest('reconciliation')).toEqual({
      job: 'reconciliation',
      runId: 'run-1',
      startedAt: '2026-03-02T12:20:00.000Z',
      finishedAt: '2026-03-02T12:21:30.000Z',
      outcome: 'succeeded',
      counts: { done: 3, failed: 0 },
    });
  });

  it('records partial when the summary says some items failed', async () => {
    // Prepare
    const { runs, options } = setup();

    // Act
    await recordRun(options, () => Promise.resolve({ done: 2, failed: 1 }));

    // Assess
    expect(await runs.latest('reconciliation')).toMatchObject({ outcome: 'partial', counts: { done: 2, failed: 1 } });
  });

  it('records a failed run with its error, secrets removed, and rethrows the error', async () => {
    // Prepare
    const { runs, options } = setup();
    const thrown = new Error('listing failed for buyer@contoso.com with Bearer abc.def.ghi');

    // Act
    const error = await recordRun(options, () => Promise.reject(thrown)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBe(thrown);
    const run = await runs.latest('reconciliation');
    expect(run).toMatchObject({ outcome: 'failed', finishedAt: '2026-03-02T12:20:00.000Z', counts: {} });
    expect(run?.error).toMatch(/^Error: listing failed/);
    expect(run?.error).not.toContain('buyer@contoso.com');
    expect(run?.error).not.toContain('abc.def.ghi');
  });

  it('never fails the job when the record cannot be written, and says so in a warning', async () => {
    // Prepare
    const { runs, warnings, options } = setup();
    runs.failWith = new Error('table storage down');

    // Act
    const result = await recordRun(options, () => Promise.resolve({ done: 1, failed: 0 }));

    // Assess
    expect(result).toEqual({ done: 1, failed: 0 });
    expect(warnings.map((w) => [w.message, w.fields.outcome])).toEqual([
      ['job run not recorded', 'running'],
      ['job run not recorded', 'succeeded'],
    ]);
  });

  it('runs the job unrecorded when no store is given', async () => {
    // Prepare
    const { options } = setup();

    // Act
    const result = await recordRun({ ...options, runs: undefined }, () => Promise.resolve({ done: 5, failed: 0 }));

    // Assess
    expect(result).toEqual({ done: 5, failed: 0 });
  });

  it('keeps one last run per job and lists them in job order', async () => {
    // Prepare
    const { runs, options } = setup();

    // Act
    await recordRun({ ...options, job: 'usageEmission', runId: 'e-1' }, () => Promise.resolve({ done: 1, failed: 0 }));
    await recordRun(options, () => Promise.resolve({ done: 1, failed: 0 }));
    await recordRun({ ...options, job: 'usageEmission', runId: 'e-2' }, () => Promise.resolve({ done: 2, failed: 0 }));

    // Assess
    expect((await runs.list()).map((run) => [run.job, run.runId])).toEqual([
      ['reconciliation', 'run-1'],
      ['usageEmission', 'e-2'],
    ]);
  });
});
