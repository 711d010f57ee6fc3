import type { LogFields, LogLevel } from '../logging';

/**
 * The narrow telemetry port every adapter takes (like the Logger): spans, the metrics of the shared
 * contract, and log records. The OpenTelemetry implementation lives in openTelemetry.ts; without an
 * exporter configured the app runs on `noTelemetry`, which costs a function call.
 *
 * The trace context is explicit: there is no "active span" that follows async calls (no
 * AsyncLocalStorage, whose async hooks every promise of the process would pay). A `Telemetry` has a
 * scope: the process's own has none (its spans are roots, its log records carry no trace), and each
 * span hands its work a `Telemetry` scoped to it (`ActiveSpan.telemetry`). Each invocation's scoped
 * telemetry is found from its InvocationContext (invocationScope.ts), and the composition root gives
 * the invocation's adapters that one.
 */
export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

/** W3C trace context as it travels in our queue envelopes and CloudEvents (distributed-tracing extension). */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent of the span (a remote context); the telemetry's scope span when absent (none: a root span). */
  parent?: TraceCarrier;
  /** Related traces (e.g. the host's own invocation span when the parent comes from a queue envelope). */
  links?: readonly TraceCarrier[];
}

export interface ActiveSpan {
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed with a short reason (redacted). */
  fail(reason: string): void;
  /**
   * Telemetry scoped to this span: its spans are children of this one, its `currentCarrier()` is this
   * span's context (for a queue envelope or an event), its log records belong to this span.
   */
  readonly telemetry: Telemetry;
}

/**
 * A span its caller ends (`Telemetry.startSpan`): for wrappers that already settle their work with
 * callbacks of their own, so that the span needs no promise of its own.
 */
export interface StartedSpan extends ActiveSpan {
  end(): void;
  /** Marks the span failed with the error's name and (redacted) message, then ends it. */
  endWithError(error: unknown): void;
}

/**
 * The metrics every deployment exports (meter `saas-fulfillment`; Application Insights stores them in
 * `customMetrics` under these names). Alert rules in infra/ use these exact names and attributes.
 */
export const COUNTERS = {
  'webhook.received': 'Webhook deliveries by outcome (accepted, unauthorized, rejected, failed).',
  'operation.processed': 'Marketplace operations processed, by action and outcome.',
  'activation.completed': 'Activations by outcome (activated, alreadyActive, notActivatable, failed).',
  'queue.poisoned': 'Messages moved to a poison queue after their last attempt, by queue.',
  'usage.records_ingested': 'Usage records reported by the product, by result (accepted, duplicate, unbilled, rejected).',
  'usage.events_emitted': 'Usage events sent to the metering API, by result (accepted, duplicate, expired, rejected).',
  'reconciliation.drift': 'Subscriptions that differed from Microsoft in a reconciliation run (kind: found, repaired).',
  'marketplace.calls': 'Marketplace API calls by method, route template, final status and whether they were retried.',
  'readiness.check_failed': 'Readiness checks that failed, by check.',
} as const;

export const HISTOGRAMS = {
  'operation.ack_delay': { unit: 'ms', description: 'Time from webhook receipt to the acknowledgement PATCH, by action (Microsoft waits 10 s).' },
  'activation.duration': { unit: 'ms', description: 'Time from the activation request (landing page) to the end of Activate.' },
} as const;

export type CounterName = keyof typeof COUNTERS;
export type HistogramName = keyof typeof HISTOGRAMS;

export const METER_NAME = 'saas-fulfillment';

export interface Telemetry {
  /** True when something is exported (spans, metrics and logs); false for `noTelemetry`. */
  readonly enabled: boolean;
  /**
   * Runs `fn` inside a span (a child of this telemetry's scope span unless `options.parent` says
   * otherwise), ended when `fn` settles; a throw marks the span failed and is rethrown. `fn` gets the
   * span's handle, whose `telemetry` is scoped to the new span.
   */
  inSpan<T>(name: string, options: SpanOptions, fn: (span: ActiveSpan) => Promise<T>): Promise<T>;
  /** Starts a span as `inSpan` does; the caller ends it, exactly once. */
  startSpan(name: string, options: SpanOptions): StartedSpan;
  /** The scope span's context, to put in a queue envelope or an outgoing event; undefined when none. */
  currentCarrier(): TraceCarrier | undefined;
  count(name: CounterName, attributes?: Attributes, value?: number): void;
  record(name: HistogramName, value: number, attributes?: Attributes): void;
  /** One log record, tied to the scope span (none: no trace). `fields` are already redacted (the logger's own copy per entry) and are kept by the record as they are: not changed afterwards. */
  log(level: LogLevel, message: string, fields: LogFields): void;
  /** Exports whatever is buffered (tests, benchmarks, shutdown). */
  flush(): Promise<void>;
}

/**
 * Runs `work` and ends `span` when it settles: a throw or a rejection marks the span failed and is
 * passed on; `onValue` and `onError` see the outcome first (attributes, metrics). Callbacks rather
 * than an async function: no promise beyond the one returned (each acknowledgement ends two spans
 * this way, see docs/observability.md "## Cost").
 */
export function endWhenSettled<T>(span: StartedSpan, work: () => Promise<T>, onValue?: (value: T) => void, onError?: (error: unknown) => void): Promise<T> {
  let running: Promise<T>;
  try {
    running = work();
  } catch (error) {
    onError?.(error);
    span.endWithError(error);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on exactly as thrown
    return Promise.reject(error);
  }
  return running.then(
    (value) => {
      onValue?.(value);
      span.end();
      return value;
    },
    (error: unknown) => {
      onError?.(error);
      span.endWithError(error);
      throw error;
    },
  );
}

/** Telemetry that records nothing: no exporter is configured. */
export const noTelemetry: Telemetry = {
  enabled: false,
  inSpan: (_name, _options, fn) => fn(NO_SPAN),
  startSpan: () => NO_SPAN,
  currentCarrier: () => undefined,
  count: () => undefined,
  record: () => undefined,
  log: () => undefined,
  flush: () => Promise.resolve(),
};

const NO_SPAN: StartedSpan = { setAttributes: () => undefined, fail: () => undefined, end: () => undefined, endWithError: () => undefined, telemetry: noTelemetry };

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace context carried by a queue message or event (`traceparent`, `tracestate` properties), or
 * undefined: old messages without one, and anything malformed, simply start a new trace.
 */
export function traceCarrierOf(value: unknown): TraceCarrier | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { traceparent, tracestate } = value as { traceparent?: unknown; tracestate?: unknown };
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  return typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= 512 ? { traceparent, tracestate } : { traceparent };
}

/** `value` with the trace context of `telemetry`'s scope added, when there is one and `value` is a plain object. */
export function withTraceCarrier<T>(telemetry: Telemetry, value: T): T {
  if (!telemetry.enabled || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const carrier = telemetry.currentCarrier();
  return carrier === undefined ? value : { ...value, ...carrier };
}
