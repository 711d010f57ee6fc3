import { getTelemetrySettings, type TelemetrySettings } from '../config';
import { ISV_CLIENT_VERSION } from '../isv/cloudEvent';
import { exportersFor, type Exporters } from './exporters';
import type * as OpenTelemetryModule from './openTelemetry';
import { noTelemetry, type Telemetry } from './telemetry';

export * from './telemetry';
export type { OpenTelemetry, OpenTelemetryOptions } from './openTelemetry';
export { instrumentInvocation, type InvocationHookContext } from './invocation';
export { invocationTelemetry } from './invocationScope';

/**
 * Telemetry for these settings: OpenTelemetry when an exporter is configured (or given), else
 * `noTelemetry`. The OpenTelemetry SDK is loaded here, on first use: a worker with no exporter
 * configured never evaluates it (cold start), see docs/observability.md "## Cost".
 */
export function telemetryFor(settings: Readonly<TelemetrySettings>, exporters: Exporters = exportersFor(settings)): Telemetry {
  if (exporters.spanExporters.length === 0 && exporters.metricExporters.length === 0 && exporters.logExporters.length === 0) return noTelemetry;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when an exporter is configured
  const { createOpenTelemetry } = require('./openTelemetry') as typeof OpenTelemetryModule;
  return createOpenTelemetry({
    serviceName: settings.serviceName,
    serviceVersion: ISV_CLIENT_VERSION,
    ...exporters,
    exportDelayMs: settings.exportDelayMs,
    metricIntervalMs: settings.metricIntervalMs,
    sampler: { kind: settings.sampler, ratio: settings.samplerRatio },
  });
}

let cached: Telemetry | undefined;

/** The process's telemetry, built on first use from the telemetry settings alone. */
export function getTelemetry(): Telemetry {
  cached ??= telemetryFor(getTelemetrySettings());
  return cached;
}

/**
 * Worker capabilities for `app.setup`: with an exporter configured the worker exports its own logs,
 * so the host (host.json `telemetryMode: OpenTelemetry`) must not forward them as well.
 */
export function telemetryCapabilities(telemetry: () => Telemetry = getTelemetry): Record<string, string> {
  try {
    return telemetry().enabled ? { WorkerOpenTelemetryEnabled: 'true' } : {};
  } catch {
    // A malformed telemetry setting: the host keeps forwarding logs, and each invocation fails with
    // the ConfigurationError that names it (getTelemetry throws again in the invocation hook).
    return {};
  }
}

/** Exports what is buffered (the worker is stopping); never throws. */
export async function flushTelemetry(telemetry: () => Telemetry = getTelemetry): Promise<void> {
  try {
    await telemetry().flush();
  } catch {
    // Nothing to flush, or an exporter that cannot be reached: the worker stops either way.
  }
}
