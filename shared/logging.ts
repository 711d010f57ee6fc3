import type { InvocationContext } from '@azure/functions';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** The narrow logger every use case takes. Messages are constant; variable data goes in fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every entry (e.g. subscriptionId, operationId). */
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, message: string, fields: LogFields) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[REDACTED]';

/** Property names whose values are never logged, whatever they contain. */
const SENSITIVE_KEY =
  /token|secret|password|passwd|authorization|connectionstring|accountkey|access[-_]?key|private[-_]?key|cookie|e-?mail|signature|^sig$|functions-key|^code$|^key$|api[-_]?key|credential/i;

/** Patterns inside free text: bearer tokens, JWTs, e-mail addresses, storage keys and SAS signatures. */
const TEXT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`],
  // No word boundary: a JWT may follow a word character, e.g. URL-encoded `id_token%3DeyJ…`.
  [/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/(AccountKey|SharedAccessKey|SharedAccessSignature|client_secret|password|pwd|sig|code|token)=([^;&\s"]+)/gi, `$1=${REDACTED}`],
];

/**
 * Each pattern above needs one of these in the text ("Bearer", "eyJ", "@" or "="): text without any
 * of them (ids, names, states, most messages) is returned as it is without running the four
 * replacements. Case-insensitive, so it is a superset of what the patterns match.
 */
const MAY_HOLD_SECRET = /bearer|eyj|[@=]/i;

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of `value` with secrets, tokens and e-mail addresses removed. Cycles are cut. */
export function redact(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (seen.has(value)) return '[Circular]';
  // `seen` holds the objects on the current path only, so a value referenced twice is not a cycle.
  seen.add(value);
  try {
    return redactObject(value, seen);
  } finally {
    seen.delete(value);
  }
}

function redactObject(value: object, seen: WeakSet<object>): unknown {
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: redactText(value.message) };
    // On errors, `code` is an error code (ServiceError, Node's ECONNRESET), not a secret.
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = SENSITIVE_KEY.test(k) && k !== 'code' ? REDACTED : redact(v, seen);
    if (value.stack) out.stack = redactText(value.stack);
    if (value.cause !== undefined) out.cause = redact(value.cause, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) {
    // Key names are data too (e.g. a map keyed by e-mail address).
    out[redactText(k)] = SENSITIVE_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redact(v, seen);
  }
  return out;
}

export function createLogger(sink: LogSink, options: { level?: LogLevel; fields?: LogFields } = {}): Logger {
  const minimum = LEVELS[options.level ?? 'info'];
  const base = options.fields ?? {};
  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[level] < minimum) return;
    sink(level, redactText(message), redact({ ...base, ...fields }) as LogFields);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(sink, { level: options.level ?? 'info', fields: { ...base, ...fields } }),
  };
}

/** Where log records also go when telemetry exports them (the shared/telemetry port, narrowed). */
export interface LogRecordSink {
  readonly enabled: boolean;
  log(level: LogLevel, message: string, fields: LogFields): void;
}

/**
 * A logger that writes through the Functions invocation context, one JSON object per entry
 * (`{"message": …, ...fields}`): the local host prints its keys as top-level keys of its own JSON
 * lines, and Kusto reads it with `parse_json(message)` where the host forwards it. With telemetry
 * exporting, each entry is also a log record whose fields are attributes (customDimensions in
 * Application Insights); the host then stops forwarding worker logs (WorkerOpenTelemetryEnabled).
 */
export function loggerFromContext(
  context: InvocationContext,
  options: { level?: LogLevel; fields?: LogFields; telemetry?: LogRecordSink } = {},
): Logger {
  const telemetry = options.telemetry?.enabled === true ? options.telemetry : undefined;
  const sink: LogSink = (level, message, fields) => {
    telemetry?.log(level, message, fields);
    const text = JSON.stringify({ message, ...fields });
    switch (level) {
      case 'debug':
        context.debug(text);
        break;
      case 'info':
        context.info(text);
        break;
      case 'warn':
        context.warn(text);
        break;
      case 'error':
        context.error(text);
        break;
    }
  };
  return createLogger(sink, {
    level: options.level,
    fields: { invocationId: context.invocationId, functionName: context.functionName, ...options.fields },
  });
}

/** Where consoleLogger puts a finished line (with its newline): warn and error go to stderr. */
export type LineWriter = (text: string, stream: 'stdout' | 'stderr') => void;

const writeLineNow: LineWriter = (text, stream) => void (stream === 'stderr' ? process.stderr : process.stdout).write(text);

/** One JSON line per entry on stdout/stderr; for the local tools under dev/. */
export function consoleLogger(options: { level?: LogLevel; fields?: LogFields; write?: LineWriter } = {}): Logger {
  const write = options.write ?? writeLineNow;
  return createLogger((level, message, fields) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
    write(`${line}\n`, level === 'error' || level === 'warn' ? 'stderr' : 'stdout');
  }, options);
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger(() => undefined, { level: 'error' });
