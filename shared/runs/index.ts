export { JOB_NAMES, RUN_OUTCOMES, recordRun, type JobName, type JobRun, type JobRunStore, type RecordRunOptions, type RunOutcome } from './jobRuns';
export { createJobRunStore, JOB_RUN_TABLE, TableJobRunStore } from './tableJobRunStore';
