export * from './checks';
export { checkReadiness, DEFAULT_CHECK_TIMEOUT_MS, type CheckOutcome, type CheckResult, type CheckStatus, type ReadinessCheck, type ReadinessDeps, type ReadinessReport } from './readiness';
export { configurationCheck, getReadinessDependencies, readinessChecksFrom, type ReadinessDependencies } from './readinessDependencies';
