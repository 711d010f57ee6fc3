import { JOB_NAMES, type JobName, type JobRun, type JobRunStore } from '../../shared/runs';
import { jobRunFromEntity, jobRunToEntity } from '../../shared/runs/jobRunEntity';
import type { TableRow } from '../../shared/storage/entityCodec';

/** JobRunStore in memory with the Table adapter's contract (same codec); `saved` keeps every write in order. */
export class InMemoryJobRunStore implements JobRunStore {
  private readonly rows = new Map<JobName, TableRow>();
  /** Every run written, in order (a run is written twice: `running`, then its outcome). */
  readonly saved: JobRun[] = [];
  /** Set to make every call fail (storage down). */
  failWith: Error | undefined;

  async save(run: JobRun): Promise<void> {
    await Promise.resolve();
    if (this.failWith !== undefined) throw this.failWith;
    const row = jobRunToEntity(run);
    this.rows.set(run.job, row);
    this.saved.push(jobRunFromEntity(row));
  }

  async latest(job: JobName): Promise<JobRun | undefined> {
    await Promise.resolve();
    if (this.failWith !== undefined) throw this.failWith;
    const row = this.rows.get(job);
    return row === undefined ? undefined : jobRunFromEntity(row);
  }

  async list(): Promise<JobRun[]> {
    await Promise.resolve();
    if (this.failWith !== undefined) throw this.failWith;
    return JOB_NAMES.flatMap((job) => {
      const row = this.rows.get(job);
      return row === undefined ? [] : [jobRunFromEntity(row)];
    });
  }
}
