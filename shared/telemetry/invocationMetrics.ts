import type { InvocationContext } from '@azure/functions';
import type { Telemetry } from './telemetry';

type Settled = { result: unknown; error?: undefined } | { result?: undefined; error: unknown };
type Recorder = (telemetry: Telemetry, input: unknown, settled: Settled, invocation: InvocationContext) => void;

/**
 * The contract metrics that follow from a function's result, keyed by the registered function name
 * (test/host/registrations.contract.test.ts pins those names). Reading results here, at the trigger
 * seam, keeps the use cases free of metric calls.
 */
const RECORDERS: Readonly<Record<string, Recorder>> = {
  webhook: (telemetry, _input, settled) => telemetry.count('webhook.received', { outcome: webhookOutcome(settled) }),
  processOperation: (telemetry, input, settled, invocation) => {
    const action = stringField(input, 'action') ?? 'unknown';
    const outcome = settled.error !== undefined ? 'failed' : (stringField(settled.result, 'outcome') ?? 'completed');
    telemetry.count('operation.processed', { action, outcome });
    const sent = stringField(objectField(settled.result, 'acknowledgement'), 'sent');
    const insertion = invocation.triggerMetadata?.insertionTime;
    const queuedAt = insertion instanceof Date ? insertion.getTime() : typeof insertion === 'string' ? Date.parse(insertion) : Number.NaN;
    if (sent !== undefined && sent !== 'none' && Number.isFinite(queuedAt)) telemetry.record('operation.ack_delay', Math.max(0, Date.now() - queuedAt), { action });
  },
  activateSubscription: (telemetry, input, settled) => {
    const outcome = settled.error !== undefined ? 'failed' : (stringField(settled.result, 'outcome') ?? 'activated');
    telemetry.count('activation.completed', { outcome });
    const requestedAt = Date.parse(stringField(input, 'requestedAt') ?? '');
    if (outcome === 'activated' && Number.isFinite(requestedAt)) telemetry.record('activation.duration', Math.max(0, Date.now() - requestedAt));
  },
  usageIngest: (telemetry, _input, settled) => {
    const report = objectField(settled.result, 'jsonBody');
    for (const result of ['accepted', 'duplicate', 'unbilled', 'rejected'] as const) countField(telemetry, 'usage.records_ingested', report, result, result);
  },
  emitUsage: (telemetry, _input, settled) => {
    countField(telemetry, 'usage.events_emitted', settled.result, 'emitted', 'accepted');
    countField(telemetry, 'usage.events_emitted', settled.result, 'duplicates', 'duplicate');
    countField(telemetry, 'usage.events_emitted', settled.result, 'expired', 'expired');
    countField(telemetry, 'usage.events_emitted', settled.result, 'rejected', 'rejected');
  },
  reconcileSubscriptions: (telemetry, _input, settled) => recordDrift(telemetry, settled.result),
  reconcile: (telemetry, _input, settled) => recordDrift(telemetry, objectField(settled.result, 'jsonBody')),
  healthReady: (telemetry, _input, settled) => {
    const failing = objectField(objectField(settled.result, 'jsonBody'), 'failing');
    if (Array.isArray(failing)) for (const check of failing) if (typeof check === 'string') telemetry.count('readiness.check_failed', { check });
  },
};

export function recordInvocationMetrics(telemetry: Telemetry, invocation: InvocationContext, input: unknown, settled: Settled): void {
  RECORDERS[invocation.functionName]?.(telemetry, input, settled, invocation);
}

function webhookOutcome(settled: Settled): string {
  const status = (settled.result as { status?: unknown } | undefined)?.status;
  if (settled.error !== undefined || typeof status !== 'number' || status >= 500) return 'failed';
  if (status < 300) return 'accepted';
  return status === 401 ? 'unauthorized' : 'rejected';
}

/** Drift found: subscriptions repaired or imported, plus those whose repair failed; repaired: the first two. */
function recordDrift(telemetry: Telemetry, report: unknown): void {
  const repaired = numberField(report, 'repaired') + numberField(report, 'imported');
  const found = repaired + numberField(report, 'failed');
  if (found > 0) telemetry.count('reconciliation.drift', { kind: 'found' }, found);
  if (repaired > 0) telemetry.count('reconciliation.drift', { kind: 'repaired' }, repaired);
}

function countField(telemetry: Telemetry, name: 'usage.records_ingested' | 'usage.events_emitted', source: unknown, field: string, result: string): void {
  const value = numberField(source, field);
  if (value > 0) telemetry.count(name, { result }, value);
}

function objectField(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const field = objectField(value, key);
  return typeof field === 'string' ? field : undefined;
}

function numberField(value: unknown, key: string): number {
  const field = objectField(value, key);
  return typeof field === 'number' && Number.isFinite(field) && field > 0 ? field : 0;
}
