export { claimBucket, completeBucket, isClaimLive, releaseBucket, type Completion } from './bucketStateMachine';
export { createUsageStore, USAGE_TABLES } from './createUsageStore';
export { DEFAULT_EMISSION_BUDGET_MS, emitUsage, type EmissionReport, type EmitUsageDeps } from './emitUsage';
export { HOUR_MS, hourIso, hourStartMs, lastEmittableHourMs, MICROSOFT_WINDOW_MS } from './hours';
export {
  appendMode,
  createUsageIngestion,
  type IngestReport,
  type IngestUsageDeps,
  type RecordResult,
  type RecordStatus,
  type UsageIngestion,
} from './ingestUsage';
export { createMeteringLookups, type MeteringLookupDeps, type MeteringLookups } from './lookups';
export * from './model';
export {
  checkRecordShape,
  MAX_RECORDS_PER_REQUEST,
  MAX_USAGE_BODY_BYTES,
  REJECTION_CODES,
  usageBodySchema,
  type Rejection,
  type RejectionCode,
  type UsageInput,
} from './usageInput';
export { getUsageReport, hourView, parseUsageReportQuery, type UsageHourView, type UsageReport, type UsageReportDeps, type UsageReportQuery } from './usageReport';
export type { ListBucketsOptions, ListPendingOptions, UsageStore } from './usageStore';
