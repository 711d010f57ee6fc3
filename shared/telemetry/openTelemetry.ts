import {
  type Context,
  type Counter,
  type Histogram,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { type Logger as OtelLogger, SeverityNumber } from '@opentelemetry/api-logs';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { TraceSampler } from '../config';
import { type LogFields, type LogLevel, redactText } from '../logging';
import {
  type ActiveSpan,
  type Attributes,
  COUNTERS,
  type CounterName,
  HISTOGRAMS,
  type HistogramName,
  METER_NAME,
  type SpanKind,
  type SpanOptions,
  type Telemetry,
  type TraceCarrier,
} from './telemetry';

export interface OpenTelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** One or more destinations (Azure Monitor, OTLP, in-memory for tests and benchmarks). */
  spanExporters: readonly SpanExporter[];
  metricExporters: readonly PushMetricExporter[];
  logExporters: readonly LogRecordExporter[];
  /** Longest wait before buffered spans and log records are exported (OTEL_BSP_SCHEDULE_DELAY). */
  exportDelayMs: number;
  /** Metrics export interval (OTEL_METRIC_EXPORT_INTERVAL). */
  metricIntervalMs: number;
  /** Which traces are recorded (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG); all of them when absent. */
  sampler?: { kind: TraceSampler; ratio: number };
}

/** The SDK sampler for OTEL_TRACES_SAMPLER (the values of the OpenTelemetry specification). */
export function samplerFor(kind: TraceSampler, ratio: number): Sampler {
  switch (kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

export interface OpenTelemetry extends Telemetry {
  shutdown(): Promise<void>;
}

const KINDS: Record<SpanKind, OtelSpanKind> = {
  internal: OtelSpanKind.INTERNAL,
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
};

const SEVERITY: Record<LogLevel, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/**
 * The context a carrier describes, as a remote parent: what `W3CTraceContextPropagator.extract`
 * gives for it (the same parser, the same remote span context with its `tracestate`), without the
 * propagator's copy of the carrier and its getter.
 */
export function contextFromCarrier(carrier: TraceCarrier, base: Context = ROOT_CONTEXT): Context {
  const parsed = parseTraceParent(carrier.traceparent);
  if (parsed === null) return base;
  const spanContext: SpanContext = carrier.tracestate ? { ...parsed, isRemote: true, traceState: new TraceState(carrier.tracestate) } : { ...parsed, isRemote: true };
  return trace.setSpanContext(base, spanContext);
}

/**
 * The W3C carrier of a span context (what `W3CTraceContextPropagator.inject` writes), built from the
 * span context directly: called for every queue message and event sent.
 */
function carrierOf(spanContext: SpanContext | undefined): TraceCarrier | undefined {
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 0xff).toString(16)}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * Attributes without undefined values, strings redacted (an attribute never carries a secret). When
 * nothing needs to change (the common case: ids, names, states, numbers) the object is passed on as
 * it is, without a copy: the SDK copies what it keeps (span attributes key by key, metric series by
 * their values).
 */
function cleanAttributes(attributes: Attributes | undefined): Attributes {
  if (attributes === undefined) return NO_ATTRIBUTES;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || (typeof value === 'string' && redactText(value) !== value)) return cleanedCopy(attributes);
  }
  return attributes;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

function cleanedCopy(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? redactText(value) : value;
  }
  return out;
}

/**
 * Log fields as record attributes: primitives as they are, anything else as JSON (customDimensions
 * are strings). Fields that are all primitives (the usual entry) are passed on as they are: the SDK
 * copies them into the record.
 */
export function logAttributes(fields: LogFields): Record<string, string | number | boolean> {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return logAttributesCopy(fields);
  }
  return fields as Record<string, string | number | boolean>;
}

function logAttributesCopy(fields: LogFields): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return out;
}

/** What every scope of one OpenTelemetry wiring shares. */
interface Pipeline {
  readonly tracer: Tracer;
  readonly logger: OtelLogger;
  counter(name: CounterName): Counter;
  histogram(name: HistogramName): Histogram;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The handle a span's work gets: one object per span, its methods on the prototype. */
class SpanHandle implements ActiveSpan {
  private scoped: Telemetry | undefined;

  constructor(
    private readonly span: Span,
    private readonly parentContext: Context,
    private readonly pipeline: Pipeline,
  ) {}

  /** Built on first use (most leaf spans never ask): the span's context is the new scope. */
  get telemetry(): Telemetry {
    this.scoped ??= new ScopedTelemetry(this.pipeline, trace.setSpan(this.parentContext, this.span));
    return this.scoped;
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(cleanAttributes(attributes));
  }

  fail(reason: string): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: redactText(reason) });
  }
}

/**
 * The telemetry whose spans are children of the span in `scope`, and whose log records belong to
 * it: one object per scope, its methods on the prototype (a scope is made for every span whose work
 * asks for one: each invocation, each queue send).
 */
class ScopedTelemetry implements OpenTelemetry {
  /** The scope's carrier, built on first use (null: not yet). */
  private carrier: TraceCarrier | undefined | null = null;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly scope: Context,
  ) {}

  get enabled(): boolean {
    return true;
  }

  inSpan<T>(name: string, spanOptions: SpanOptions, fn: (span: ActiveSpan) => Promise<T>): Promise<T> {
    const parentContext = spanOptions.parent === undefined ? this.scope : contextFromCarrier(spanOptions.parent);
    const links = spanOptions.links === undefined || spanOptions.links.length === 0 ? undefined : linksOf(spanOptions.links);
    const span = this.pipeline.tracer.startSpan(name, { kind: KINDS[spanOptions.kind ?? 'internal'], attributes: cleanAttributes(spanOptions.attributes), links }, parentContext);
    // Settled with callbacks rather than in an async function: no promise of our own per span
    // beyond the one returned.
    let work: Promise<T>;
    try {
      work = fn(new SpanHandle(span, parentContext, this.pipeline));
    } catch (error) {
      failSpan(span, error);
      span.end();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on exactly as thrown
      return Promise.reject(error);
    }
    return work.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    );
  }

  /** Built once per scope: a span's context does not change. */
  currentCarrier(): TraceCarrier | undefined {
    if (this.carrier === null) this.carrier = carrierOf(trace.getSpanContext(this.scope));
    return this.carrier;
  }

  count(name: CounterName, attributes?: Attributes, value = 1): void {
    this.pipeline.counter(name).add(value, cleanAttributes(attributes));
  }

  record(name: HistogramName, value: number, attributes?: Attributes): void {
    this.pipeline.histogram(name).record(value, cleanAttributes(attributes));
  }

  log(level: LogLevel, message: string, fields: LogFields): void {
    this.pipeline.logger.emit({ severityNumber: SEVERITY[level], severityText: level.toUpperCase(), body: message, attributes: logAttributes(fields), context: this.scope });
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  shutdown(): Promise<void> {
    return this.pipeline.shutdown();
  }
}

function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) });
  span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
}

function linksOf(carriers: readonly TraceCarrier[]): Link[] {
  const links: Link[] = [];
  for (const carrier of carriers) {
    const linked = trace.getSpanContext(contextFromCarrier(carrier));
    if (linked !== undefined) links.push({ context: linked });
  }
  return links;
}

/**
 * Telemetry over the OpenTelemetry SDK: a tracer, meter and logger provider of our own (nothing is
 * patched; the app's spans come from its seams), batch export to the given exporters. No context
 * manager is installed: the returned telemetry has no scope (its spans are roots), and each span's
 * handle gives the telemetry scoped to it (see telemetry.ts).
 */
export function createOpenTelemetry(options: OpenTelemetryOptions): OpenTelemetry {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    ...(options.serviceVersion === undefined ? {} : { 'service.version': options.serviceVersion }),
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: samplerFor(options.sampler?.kind ?? 'parentbased_always_on', options.sampler?.ratio ?? 1),
    spanProcessors: options.spanExporters.map((exporter) => new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs })),
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: options.metricExporters.map(
      (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: options.metricIntervalMs, exportTimeoutMillis: Math.min(30_000, options.metricIntervalMs) }),
    ),
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: options.logExporters.map((exporter) => new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: options.exportDelayMs })),
  });
  const tracer: Tracer = tracerProvider.getTracer(METER_NAME, options.serviceVersion);
  const meter = meterProvider.getMeter(METER_NAME, options.serviceVersion);
  const logger: OtelLogger = loggerProvider.getLogger(METER_NAME, options.serviceVersion);
  const counters = new Map<CounterName, Counter>();
  const histograms = new Map<HistogramName, Histogram>();

  const counter = (name: CounterName): Counter => {
    let found = counters.get(name);
    if (found === undefined) {
      found = meter.createCounter(name, { description: COUNTERS[name] });
      counters.set(name, found);
    }
    return found;
  };
  const histogram = (name: HistogramName): Histogram => {
    let found = histograms.get(name);
    if (found === undefined) {
      found = meter.createHistogram(name, HISTOGRAMS[name]);
      histograms.set(name, found);
    }
    return found;
  };

  const pipeline: Pipeline = {
    tracer,
    logger,
    counter,
    histogram,
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
  return new ScopedTelemetry(pipeline, ROOT_CONTEXT);
}
