import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createOpenTelemetry, type OpenTelemetry, type OpenTelemetryOptions } from '../../shared/telemetry/openTelemetry';

/**
 * An exporter that takes each batch the way a network exporter does, then lets it go: it counts what
 * it was given and keeps a reference only when `retain` is set. The test exporters of the SDK
 * (`InMemorySpanExporter`, `InMemoryLogRecordExporter`) keep every span and record until they are
 * reset, so over a 20-second window of a benchmark the heap grows by tens of thousands of spans and
 * the old-generation collections that follow are charged to telemetry; a real exporter (Azure
 * Monitor, OTLP) serialises a batch, sends it and drops it.
 */
class DrainingExporter<T> {
  private count = 0;
  readonly kept: T[] = [];

  constructor(private readonly retain: boolean) {}

  export(items: T[], done: (result: ExportResult) => void): void {
    this.count += items.length;
    if (this.retain) this.kept.push(...items);
    done({ code: ExportResultCode.SUCCESS });
  }

  /** How many items were exported since the last call (and forgets those kept). */
  take(): number {
    const count = this.count;
    this.count = 0;
    this.kept.length = 0;
    return count;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface DrainingTelemetry {
  telemetry: OpenTelemetry;
  /** Exports what is buffered; returns how many spans and log records were exported since the last call. */
  drained(): Promise<{ spans: number; logs: number }>;
}

/**
 * The app's real OpenTelemetry wiring (batch processors, periodic metric reader, default settings of
 * `createInMemoryTelemetry`) with exporters that drain each batch, for benchmarks. `retain: true`
 * keeps every span and log record until `drained()`, as the SDK's in-memory exporters do (to measure
 * what that retention costs).
 */
export function createDrainingTelemetry(options: Partial<Pick<OpenTelemetryOptions, 'sampler'>> & { retain?: boolean } = {}): DrainingTelemetry {
  const retain = options.retain ?? process.env.BENCH_RETAIN_SPANS === '1';
  const spans = new DrainingExporter<ReadableSpan>(retain);
  const logs = new DrainingExporter<ReadableLogRecord>(retain);
  const telemetry = createOpenTelemetry({
    serviceName: 'saas-fulfillment',
    spanExporters: [spans satisfies SpanExporter],
    metricExporters: [new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)],
    logExporters: [logs satisfies LogRecordExporter],
    exportDelayMs: 5_000,
    metricIntervalMs: 60_000,
    ...(options.sampler === undefined ? {} : { sampler: options.sampler }),
  });
  return {
    telemetry,
    async drained() {
      await telemetry.flush();
      return { spans: spans.take(), logs: logs.take() };
    },
  };
}
