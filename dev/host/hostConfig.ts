import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** `extensions.queues` of host.json, in milliseconds where the host uses TimeSpans. */
export interface QueueSettings {
  messageEncoding: 'base64' | 'none';
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
}

export interface HostSettings {
  routePrefix: string;
  queues: QueueSettings;
}

/** The real host's defaults (Storage Queues extension 5.x, HTTP extension) for one processor. */
export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  messageEncoding: 'base64',
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
});

const MINIMUM_POLLING_INTERVAL_MS = 100;

/**
 * Parses a .NET TimeSpan as host.json writes it: `[d.]hh:mm:ss[.fffffff]` (e.g. `00:00:10`,
 * `1.00:00:00`, `00:00:00.250`). Returns milliseconds.
 */
export function parseTimeSpan(text: string): number {
  const match = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a TimeSpan (expected hh:mm:ss, e.g. 00:00:10)`);
  const [, negative, days, hours, minutes, seconds, fraction] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59) {
    throw new Error(`"${text}" is not a TimeSpan: hours, minutes or seconds out of range`);
  }
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return negative ? -ms : ms;
}

const timeSpan = z.string().transform((value, ctx) => {
  try {
    return parseTimeSpan(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const queuesSchema = z.object({
  messageencoding: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['base64', 'none']))
    .optional(),
  batchsize: z.number().int().min(1).max(32).optional(),
  newbatchthreshold: z.number().int().min(0).optional(),
  maxdequeuecount: z.number().int().min(1).optional(),
  visibilitytimeout: timeSpan.pipe(z.number().min(0)).optional(),
  maxpollinginterval: timeSpan.pipe(z.number().min(MINIMUM_POLLING_INTERVAL_MS, 'must be at least 00:00:00.1')).optional(),
});

/** Reads host.json (keys are case-insensitive, as in the host). A missing file gives the defaults. */
export function readHostSettings(file: string, options: { required?: boolean } = {}): HostSettings {
  if (!existsSync(file)) {
    if (options.required) throw new Error(`host.json not found at ${file}`);
    return { routePrefix: 'api', queues: { ...DEFAULT_QUEUE_SETTINGS } };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON`, { cause: error });
  }
  return parseHostSettings(json, file);
}

export function parseHostSettings(json: unknown, source = 'host.json'): HostSettings {
  const extensions = lowerKeys(lowerKeys(json).extensions);
  const http = lowerKeys(extensions.http);
  const rawQueues = lowerKeys(extensions.queues);
  const parsed = queuesSchema.safeParse(rawQueues);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `extensions.queues.${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid ${source}: ${issues.join('; ')}`);
  }
  const q = parsed.data;
  const batchSize = q.batchsize ?? DEFAULT_QUEUE_SETTINGS.batchSize;
  const routePrefix = typeof http.routeprefix === 'string' ? http.routeprefix : 'api';
  return {
    routePrefix: routePrefix.replace(/^\/+|\/+$/g, ''),
    queues: {
      messageEncoding: q.messageencoding ?? DEFAULT_QUEUE_SETTINGS.messageEncoding,
      batchSize,
      newBatchThreshold: q.newbatchthreshold ?? Math.floor(batchSize / 2),
      maxDequeueCount: q.maxdequeuecount ?? DEFAULT_QUEUE_SETTINGS.maxDequeueCount,
      visibilityTimeoutMs: q.visibilitytimeout ?? DEFAULT_QUEUE_SETTINGS.visibilityTimeoutMs,
      maxPollingIntervalMs: q.maxpollinginterval ?? DEFAULT_QUEUE_SETTINGS.maxPollingIntervalMs,
    },
  };
}

/** Applies explicit overrides (options, CLI flags) on top of host.json, validating the result. */
export function withQueueOverrides(settings: QueueSettings, overrides: Partial<QueueSettings> = {}): QueueSettings {
  const merged = { ...settings, ...stripUndefined(overrides) };
  if (overrides.batchSize !== undefined && overrides.newBatchThreshold === undefined) {
    merged.newBatchThreshold = Math.floor(merged.batchSize / 2);
  }
  if (merged.maxPollingIntervalMs < MINIMUM_POLLING_INTERVAL_MS) {
    throw new Error(`maxPollingInterval must be at least ${MINIMUM_POLLING_INTERVAL_MS} ms`);
  }
  if (merged.batchSize < 1 || merged.batchSize > 32) throw new Error('batchSize must be between 1 and 32');
  if (merged.maxDequeueCount < 1) throw new Error('maxDequeueCount must be at least 1');
  if (merged.visibilityTimeoutMs < 0) throw new Error('visibilityTimeout must not be negative');
  return merged;
}

/** Replaces `%Name%` with the app setting `Name`, as the host does in binding expressions. */
export function resolveAppSettings(text: string, settings: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = settings[name];
    if (value === undefined) throw new Error(`App setting "${name}" (referenced as %${name}%) is not set`);
    return value;
  });
}

function lowerKeys(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.toLowerCase(), v]));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
