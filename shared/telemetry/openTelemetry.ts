import {
  type Counter,
  type HrTime,
  type Histogram,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind as OtelSpanKind,
  type SpanStatus,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import { type LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import { type InstrumentationScope, millisToHrTime, parseTraceParent, TraceState } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  RandomIdGenerator,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SpanExporter,
  type TimedEvent,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { TraceSampler } from '../config';
import { type LogFields, type LogLevel, redactText } from '../logging';
import {
  type Attributes,
  COUNTERS,
  type CounterName,
  endWhenSettled,
  HISTOGRAMS,
  type HistogramName,
  METER_NAME,
  type SpanKind,
  type SpanOptions,
  type StartedSpan,
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

/**
 * Which spans are recorded (OTEL_TRACES_SAMPLER, the values of the OpenTelemetry specification): a
 * span with a parent follows the parent's decision under the `parentbased_*` kinds (the defaults of
 * the SDK's ParentBasedSampler, local or remote parent alike); any other span asks the root sampler,
 * one of the SDK's own.
 */
export interface SamplingPolicy {
  readonly root: Sampler;
  readonly parentBased: boolean;
}

export function samplingFor(kind: TraceSampler, ratio: number): SamplingPolicy {
  switch (kind) {
    case 'always_on':
      return { root: new AlwaysOnSampler(), parentBased: false };
    case 'always_off':
      return { root: new AlwaysOffSampler(), parentBased: false };
    case 'traceidratio':
      return { root: new TraceIdRatioBasedSampler(ratio), parentBased: false };
    case 'parentbased_always_off':
      return { root: new AlwaysOffSampler(), parentBased: true };
    case 'parentbased_traceidratio':
      return { root: new TraceIdRatioBasedSampler(ratio), parentBased: true };
    case 'parentbased_always_on':
      return { root: new AlwaysOnSampler(), parentBased: true };
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
 * The span context a carrier describes, as a remote parent: what `W3CTraceContextPropagator.extract`
 * gives for it (the same parser, the same remote span context with its `tracestate`), without the
 * propagator's copy of the carrier, its getter and a context around it. Undefined when malformed.
 */
export function spanContextFromCarrier(carrier: TraceCarrier): SpanContext | undefined {
  // A new object from the parser, completed in place.
  const parsed: SpanContext | null = parseTraceParent(carrier.traceparent);
  if (parsed === null) return undefined;
  parsed.isRemote = true;
  if (carrier.tracestate) parsed.traceState = new TraceState(carrier.tracestate);
  return parsed;
}

/**
 * The W3C carrier of a span context (what `W3CTraceContextPropagator.inject` writes), built from the
 * span context directly: called for every queue message and event sent. Our span contexts are valid
 * by construction (ids we drew, or a parsed `traceparent`).
 */
function carrierOf(spanContext: SpanContext): TraceCarrier {
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 0xff).toString(16)}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * Attributes without undefined values, strings redacted (an attribute never carries a secret). When
 * nothing needs to change (the common case: ids, names, states, numbers) the object is passed on as
 * it is, without a copy: a span keeps it (and copies it before its first write to it; an attributes
 * object is never changed by its caller once passed), the metrics SDK keeps series by their values.
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
 * are strings). Fields that are all primitives (the usual entry) are kept by the record as they are:
 * they are the logger's own redacted copy of the entry's fields.
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

/** What every span and scope of one OpenTelemetry wiring shares. */
interface Pipeline {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly sampling: SamplingPolicy;
  readonly ids: RandomIdGenerator;
  /** Where ended, sampled spans go (one batch processor per exporter). */
  readonly processors: readonly BatchSpanProcessor[];
  /** Where log records go (one batch processor per exporter). */
  readonly logProcessors: readonly BatchLogRecordProcessor[];
  counter(name: CounterName): Counter;
  histogram(name: HistogramName): Histogram;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];

/**
 * One span: the handle its work gets and, once ended, what the batch processors hand the exporters
 * (the SDK's `ReadableSpan`). A span of our own rather than the SDK tracer's: each acknowledgement
 * makes two, and this one is a single object (times kept as numbers and turned into `HrTime` when an
 * exporter reads them, attributes copied only when written to, no context object, no self-metrics);
 * see docs/observability.md "## Cost". What is exported is what the SDK's span exports. A span that
 * is not sampled records nothing and is never handed to a processor; its context still travels, so
 * the next hop keeps the decision.
 */
class RecordedSpan implements ReadableSpan, StartedSpan {
  readonly events = NO_EVENTS;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  status: SpanStatus = UNSET;
  /** Wall-clock start (ms since the epoch) and the monotonic clock at start and end (ms; -1: not ended). */
  private readonly startEpochMs = Date.now();
  private readonly startedAt = performance.now();
  private endedAt = -1;
  /** Whether `attributes` is this span's own object (else the caller's, never written to). */
  private ownsAttributes = false;
  private scoped: ScopedTelemetry | undefined;

  constructor(
    private readonly pipeline: Pipeline,
    readonly name: string,
    readonly kind: OtelSpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    public attributes: ReadableSpan['attributes'],
    readonly links: Link[],
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }

  get resource(): Resource {
    return this.pipeline.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.pipeline.instrumentationScope;
  }

  get startTime(): HrTime {
    return millisToHrTime(this.startEpochMs);
  }

  get endTime(): HrTime {
    return this.endedAt < 0 ? [0, 0] : millisToHrTime(this.startEpochMs + (this.endedAt - this.startedAt));
  }

  get duration(): HrTime {
    return this.endedAt < 0 ? [-1, -1] : millisToHrTime(this.endedAt - this.startedAt);
  }

  get ended(): boolean {
    return this.endedAt >= 0;
  }

  private get recording(): boolean {
    return this.endedAt < 0 && (this.context.traceFlags & TraceFlags.SAMPLED) !== 0;
  }

  /** Built on first use (most leaf spans never ask): its spans are this span's children. */
  get telemetry(): Telemetry {
    this.scoped ??= new ScopedTelemetry(this.pipeline, this.context);
    return this.scoped;
  }

  setAttributes(attributes: Attributes): void {
    if (!this.recording) return;
    if (!this.ownsAttributes) {
      this.attributes = { ...this.attributes };
      this.ownsAttributes = true;
    }
    Object.assign(this.attributes, cleanAttributes(attributes));
  }

  fail(reason: string): void {
    if (this.recording) this.status = { code: SpanStatusCode.ERROR, message: redactText(reason) };
  }

  end(): void {
    if (this.endedAt >= 0) return;
    this.endedAt = performance.now();
    if ((this.context.traceFlags & TraceFlags.SAMPLED) === 0) return;
    for (const processor of this.pipeline.processors) processor.onEnd(this);
  }

  endWithError(error: unknown): void {
    if (this.recording) {
      this.fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      this.setAttributes({ 'error.type': error instanceof Error ? error.name : typeof error });
    }
    this.end();
  }
}

const SEVERITY_TEXT: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/**
 * One log record, as the batch log processors hand it to the exporters (the SDK's
 * `ReadableLogRecord`), made directly rather than through the SDK's logger: the same fields (time,
 * severity, body, attributes, the scope span's context), one object. The attributes are the logger's
 * own redacted copy of the entry's fields, so they are kept as they are.
 */
class RecordedLog implements ReadableLogRecord {
  readonly droppedAttributesCount = 0;
  readonly severityNumber: SeverityNumber;
  readonly severityText: string;
  private readonly epochMs = Date.now();

  constructor(
    private readonly pipeline: Pipeline,
    level: LogLevel,
    readonly body: string,
    readonly attributes: LogAttributes,
    readonly spanContext: SpanContext | undefined,
  ) {
    this.severityNumber = SEVERITY[level];
    this.severityText = SEVERITY_TEXT[level];
  }

  get hrTime(): HrTime {
    return millisToHrTime(this.epochMs);
  }

  get hrTimeObserved(): HrTime {
    return millisToHrTime(this.epochMs);
  }

  get resource(): Resource {
    return this.pipeline.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.pipeline.instrumentationScope;
  }
}

/**
 * The telemetry whose spans are children of the span `parent` (none: roots), and whose log records
 * belong to it: one object per scope, its methods on the prototype (a scope is made for every span
 * whose work asks for one: each invocation, each queue send).
 */
class ScopedTelemetry implements OpenTelemetry {
  /** The scope's carrier, built on first use (null: not yet). */
  private carrier: TraceCarrier | undefined | null = null;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly parent: SpanContext | undefined,
  ) {}

  get enabled(): boolean {
    return true;
  }

  startSpan(name: string, spanOptions: SpanOptions): StartedSpan {
    const { pipeline } = this;
    const parent = spanOptions.parent === undefined ? this.parent : spanContextFromCarrier(spanOptions.parent);
    const traceId = parent === undefined ? pipeline.ids.generateTraceId() : parent.traceId;
    const kind = KINDS[spanOptions.kind ?? 'internal'];
    const attributes = cleanAttributes(spanOptions.attributes) as ReadableSpan['attributes'];
    const links = spanOptions.links === undefined || spanOptions.links.length === 0 ? NO_LINKS : linksOf(spanOptions.links);
    const sampled =
      parent !== undefined && pipeline.sampling.parentBased
        ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0
        : pipeline.sampling.root.shouldSample(ROOT_CONTEXT, traceId, name, kind, attributes, links).decision === SamplingDecision.RECORD_AND_SAMPLED;
    const context: SpanContext = { traceId, spanId: pipeline.ids.generateSpanId(), traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, traceState: parent?.traceState };
    return new RecordedSpan(pipeline, name, kind, context, parent, attributes, links);
  }

  inSpan<T>(name: string, spanOptions: SpanOptions, fn: (span: StartedSpan) => Promise<T>): Promise<T> {
    const span = this.startSpan(name, spanOptions);
    return endWhenSettled(span, () => fn(span));
  }

  /** Built once per scope: a span's context does not change. */
  currentCarrier(): TraceCarrier | undefined {
    if (this.carrier === null) this.carrier = this.parent === undefined ? undefined : carrierOf(this.parent);
    return this.carrier;
  }

  count(name: CounterName, attributes?: Attributes, value = 1): void {
    this.pipeline.counter(name).add(value, cleanAttributes(attributes));
  }

  record(name: HistogramName, value: number, attributes?: Attributes): void {
    this.pipeline.histogram(name).record(value, cleanAttributes(attributes));
  }

  log(level: LogLevel, message: string, fields: LogFields): void {
    const { logProcessors } = this.pipeline;
    if (logProcessors.length === 0) return;
    const record = new RecordedLog(this.pipeline, level, message, logAttributes(fields), this.parent);
    // The processors only buffer the record; exporters read it (ReadableLogRecord).
    for (const processor of logProcessors) processor.onEmit(record as unknown as SdkLogRecord);
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  shutdown(): Promise<void> {
    return this.pipeline.shutdown();
  }
}

function linksOf(carriers: readonly TraceCarrier[]): Link[] {
  const links: Link[] = [];
  for (const carrier of carriers) {
    const linked = spanContextFromCarrier(carrier);
    if (linked !== undefined) links.push({ context: linked });
  }
  return links;
}

/**
 * Telemetry over the OpenTelemetry SDK: spans of our own (RecordedSpan) through the SDK's batch span
 * processors, the SDK's meter and logger providers, batch export to the given exporters. Nothing is
 * patched and nothing global is registered; the app's spans come from its seams. No context manager
 * is installed: the returned telemetry has no scope (its spans are roots), and each span's handle
 * gives the telemetry scoped to it (see telemetry.ts).
 */
export function createOpenTelemetry(options: OpenTelemetryOptions): OpenTelemetry {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    ...(options.serviceVersion === undefined ? {} : { 'service.version': options.serviceVersion }),
  });
  const processors = options.spanExporters.map((exporter) => new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs }));
  const meterProvider = new MeterProvider({
    resource,
    readers: options.metricExporters.map(
      (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: options.metricIntervalMs, exportTimeoutMillis: Math.min(30_000, options.metricIntervalMs) }),
    ),
  });
  const logProcessors = options.logExporters.map((exporter) => new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: options.exportDelayMs }));
  const meter = meterProvider.getMeter(METER_NAME, options.serviceVersion);
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
    resource,
    instrumentationScope: options.serviceVersion === undefined ? { name: METER_NAME } : { name: METER_NAME, version: options.serviceVersion },
    sampling: samplingFor(options.sampler?.kind ?? 'parentbased_always_on', options.sampler?.ratio ?? 1),
    ids: new RandomIdGenerator(),
    processors,
    logProcessors,
    counter,
    histogram,
    async flush() {
      await Promise.all([...processors.map((processor) => processor.forceFlush()), meterProvider.forceFlush(), ...logProcessors.map((processor) => processor.forceFlush())]);
    },
    async shutdown() {
      await Promise.all([...processors.map((processor) => processor.shutdown()), meterProvider.shutdown(), ...logProcessors.map((processor) => processor.shutdown())]);
    },
  };
  return new ScopedTelemetry(pipeline, undefined);
}
