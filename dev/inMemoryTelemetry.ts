import { type ReadableLogRecord, InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createOpenTelemetry, type OpenTelemetry, type OpenTelemetryOptions } from '../shared/telemetry/openTelemetry';

export interface InMemoryTelemetry {
  telemetry: OpenTelemetry;
  /** Exports what is buffered, then returns every span, metric export and log record so far. */
  collect(): Promise<{ spans: ReadableSpan[]; metrics: ResourceMetrics[]; logs: ReadableLogRecord[] }>;
  reset(): void;
}

/**
 * The app's real OpenTelemetry wiring with in-memory exporters (batch processors and a periodic
 * metric reader as in production), for tests and benchmarks.
 */
export function createInMemoryTelemetry(options: Partial<Pick<OpenTelemetryOptions, 'exportDelayMs' | 'metricIntervalMs' | 'sampler'>> = {}): InMemoryTelemetry {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const logs = new InMemoryLogRecordExporter();
  const telemetry = createOpenTelemetry({
    serviceName: 'saas-fulfillment',
    spanExporters: [spans],
    metricExporters: [metrics],
    logExporters: [logs],
    exportDelayMs: options.exportDelayMs ?? 5_000,
    metricIntervalMs: options.metricIntervalMs ?? 60_000,
    ...(options.sampler === undefined ? {} : { sampler: options.sampler }),
  });
  return {
    telemetry,
    async collect() {
      await telemetry.flush();
      return { spans: spans.getFinishedSpans(), metrics: metrics.getMetrics(), logs: logs.getFinishedLogRecords() };
    },
    reset() {
      spans.reset();
      metrics.reset();
      logs.reset();
    },
  };
}
