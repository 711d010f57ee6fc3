import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { GCProfiler } from 'node:v8';
import { createInterface } from 'node:readline';
import type { AccessToken } from '@azure/core-auth';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadConfig } from '../../shared/config';
import { AlreadyExistsError } from '../../shared/errors';
import type { OperationMessage } from '../../shared/operations/operationMessage';
import { encodeQueueMessage, type MessageQueue, type OperationRecord, QUEUE_NAMES } from '../../shared/storage';
import { operationCodec } from '../../shared/storage/operationEntity';
import type { Versioned } from '../../shared/subscription/model';
import { buildDependencies } from '../../shared/dependencies';
import { instrumentInvocation, noTelemetry, type InvocationHookContext, type Telemetry } from '../../shared/telemetry';
import { invocationTelemetry } from '../../shared/telemetry/invocationScope';
import { tracedQueue } from '../../shared/telemetry/tracedQueue';
import { webhookDependencyGetter, type WebhookDependencies } from '../../shared/webhook/webhookDependencies';
import { startAzurite } from '../azurite';
import { childRuntime, reportFromChild } from './childRuntime';
import { machineLoad, mainThreadCpuMs } from './procCpu';
import { formatMs, percentile, timed } from './stats';
import { startBenchKeys } from './webhook.bench';

/**
 * Acknowledgement throughput of the webhook with telemetry exporting (the real OpenTelemetry wiring,
 * batch processors as in production, exporters that drain each batch as a network exporter does:
 * drainingTelemetry.ts) and without (no exporter configured: what
 * a deployment without telemetry runs), in the same run. Each variant is its own child process, so
 * the baseline never loads OpenTelemetry.
 *
 * The variants of a round run side by side: each warms up, then all of them acknowledge webhooks
 * during the same time window, so whatever else loads the machine weighs on every variant alike (on a
 * shared machine, figures taken one after another differ by more than the cost being measured). The
 * cost is read from the CPU time each worker process spends per acknowledgement; each round gives
 * one cost per variant against the baseline of the same window, and the median over the rounds is
 * reported. Each delivery is a signed Renew webhook through the `webhook` trigger (and, with
 * telemetry, the preInvocation wrapper every trigger gets), verified, recorded and queued in Azurite
 * (or in memory with `BENCH_STORAGE_MODE=memory`, so that the Azure SDK's work does not drown the
 * telemetry's), the host and the HTTP client left out. `BENCH_NODE` / `BENCH_NODE_ARGS` choose the
 * runtime of the measuring processes, `BENCH_ROUNDS` and `BENCH_WINDOW_MS` the rounds and the
 * window, `BENCH_CONCURRENCY` the acknowledgements in flight; `BENCH_RETAIN_SPANS=1` keeps every
 * exported span and log record until the end of the window, as the SDK's in-memory exporters do.
 */
const WARM_UP = 300;
/** Acknowledgements in flight in each measuring process; BENCH_CONCURRENCY overrides. */
const CONCURRENCY = 50;
/** Rounds (each runs every variant once); BENCH_ROUNDS overrides. */
const ROUNDS = 5;
/** How long the variants of a round acknowledge side by side; BENCH_WINDOW_MS overrides. */
const WINDOW_MS = 20_000;
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';

/**
 * plain: no telemetry; telemetry: everything, draining exporters, default settings; sampled: the
 * same with `OTEL_TRACES_SAMPLER=traceidratio` and `OTEL_TRACES_SAMPLER_ARG=0.1` (an operator's
 * option, not the default). (No context-manager variant: the trace context is explicit, nothing
 * uses AsyncLocalStorage.)
 */
const VARIANTS = ['plain', 'telemetry', 'sampled'] as const;
/** The share of traces the `sampled` variant records. */
const SAMPLED_RATIO = 0.1;
type Variant = (typeof VARIANTS)[number];

interface Figures {
  /** Acknowledgements in the window. */
  count: number;
  rate: number;
  /** CPU time of this process per acknowledgement (user + system), in ms. */
  cpuMs: number;
  /** The same for the main (JavaScript) thread alone: the rest is garbage collection, compilation and I/O threads. */
  mainCpuMs: number;
  /** Garbage collection pauses of the main thread per acknowledgement (v8.GCProfiler), in ms. */
  gcMs: number;
  p50: number;
  p99: number;
  spans: number;
  logs: number;
}

export async function run(): Promise<void> {
  const azurite = inMemory() ? undefined : await startAzurite();
  const keys = await startWebhookKeys();
  try {
    const env = { ...process.env, ...(azurite === undefined ? {} : { BENCH_STORAGE: azurite.connectionString }), ...keys.env };
    const results: Record<Variant, Figures[]> = { plain: [], telemetry: [], sampled: [] };
    const runtime = childRuntime();
    const rounds = setting('BENCH_ROUNDS', ROUNDS);
    const windowMs = setting('BENCH_WINDOW_MS', WINDOW_MS);
    const version = await new Promise<string>((resolve, reject) => {
      const child = spawn(runtime.node, [...runtime.args, '-p', 'process.version'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim()));
    });
    console.log(`measured in child processes: node ${version}${runtime.args.length > 0 ? ` ${runtime.args.join(' ')}` : ''}${runtime.node === process.execPath ? '' : ` (${runtime.node})`}`);
    console.log(`storage: ${azurite === undefined ? 'in memory (BENCH_STORAGE_MODE=memory)' : 'Azurite'}; exporters drain each batch${process.env.BENCH_RETAIN_SPANS === '1' ? ' and keep every span and log record until the end of the window (BENCH_RETAIN_SPANS=1)' : ''}`);
    console.log(`each round: ${VARIANTS.join(', ')} side by side, ${WARM_UP} acknowledgements to warm up, then ${windowMs / 1000} s measured, ${setting('BENCH_CONCURRENCY', CONCURRENCY)} in flight each`);
    console.log(`before: ${machineLoad()}`);
    for (let round = 0; round < rounds; round += 1) {
      const figures = await sideBySide(runtime, env, windowMs);
      for (const variant of VARIANTS) {
        const f = figures[variant];
        results[variant].push(f);
        console.log(`round ${round + 1} ${variant.padEnd(9)}: ${f.cpuMs.toFixed(3)} ms CPU per acknowledgement, ${f.count} in the window (${f.rate.toFixed(0)}/s), GC pauses ${f.gcMs.toFixed(3)} ms, p50 ${formatMs(f.p50)}, p99 ${formatMs(f.p99)}${f.spans + f.logs > 0 ? `, ${f.spans} spans, ${f.logs} log records exported` : ''}`);
      }
    }
    const median = (values: number[]): number => percentile(values, 50);
    const cpu = (variant: Variant): number => median(results[variant].map((f) => f.cpuMs));
    const rate = (variant: Variant): number => median(results[variant].map((f) => f.rate));
    const roundCost = (variant: Variant, round: number, key: 'cpuMs' | 'mainCpuMs' = 'cpuMs'): number => 1 - (results.plain[round] as Figures)[key] / (results[variant][round] as Figures)[key];
    /** Each round's cost (its variant against the baseline of the same window), then the median over the rounds. */
    const cost = (variant: Variant, key: 'cpuMs' | 'mainCpuMs' = 'cpuMs'): number => median(results[variant].map((_f, round) => roundCost(variant, round, key)));
    const mainCpu = (variant: Variant): number => median(results[variant].map((f) => f.mainCpuMs));
    const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
    const perRound = (variant: Variant): string => results[variant].map((_f, round) => percent(roundCost(variant, round))).join(', ');
    console.log(`after: ${machineLoad()}`);
    console.log(`webhook acknowledgement, median of ${rounds} rounds:`);
    console.log(`  CPU of the worker per acknowledgement: without telemetry ${cpu('plain').toFixed(3)} ms, telemetry exporting ${cpu('telemetry').toFixed(3)} ms, ${SAMPLED_RATIO * 100}% of traces sampled ${cpu('sampled').toFixed(3)} ms`);
    console.log(`  telemetry cost per round: ${perRound('telemetry')}; ${SAMPLED_RATIO * 100}% of traces sampled: ${perRound('sampled')}`);
    console.log(`  throughput a CPU-bound worker keeps with telemetry: ${percent(1 - cost('telemetry'))} (cost ${percent(cost('telemetry'))}; target: at most 10%)`);
    console.log(`  with OTEL_TRACES_SAMPLER=traceidratio, OTEL_TRACES_SAMPLER_ARG=${SAMPLED_RATIO} (an option, not the default): cost ${percent(cost('sampled'))}`);
    console.log(`  of which the main (JavaScript) thread: ${mainCpu('plain').toFixed(3)} ms without, ${mainCpu('telemetry').toFixed(3)} ms with telemetry, a cost of ${percent(cost('telemetry', 'mainCpuMs'))}; the rest is garbage collection, compilation and I/O threads`);
    console.log(`  wall-clock throughput (${VARIANTS.length} workers share the machine): ${rate('plain').toFixed(0)}/s without, ${rate('telemetry').toFixed(0)}/s with telemetry`);
  } finally {
    await keys.close();
    await azurite?.stop();
  }
}

function setting(name: string, fallback: number): number {
  const wanted = Number(process.env[name] ?? fallback);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : fallback;
}

/** One round: every variant in its own process; once all have warmed up, they measure the same window. */
async function sideBySide(runtime: { node: string; args: string[] }, env: NodeJS.ProcessEnv, windowMs: number): Promise<Record<Variant, Figures>> {
  const children = VARIANTS.map((variant) => {
    const child = spawn(runtime.node, [...runtime.args, __filename, variant], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    // Lines are queued as they come: a child may answer before its turn to be read.
    const lines: string[] = [];
    const waiting: Array<(line: string) => void> = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reader = waiting.shift();
      if (reader === undefined) lines.push(line);
      else reader(line);
    });
    const next = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const line = lines.shift();
        if (line !== undefined) return resolve(line);
        const onClose = (code: number | null): void => reject(new Error(`${variant} exited with ${code}: ${errors.slice(-2000)}`));
        child.once('close', onClose);
        waiting.push((received) => {
          child.off('close', onClose);
          resolve(received);
        });
      });
    return { variant, child, next };
  });
  try {
    // A line "ready" from each after its warm-up, then the same end of window for all.
    for (const { next } of children) if ((await next()) !== 'ready') throw new Error('a measuring process did not warm up');
    const results = children.map(({ next }) => next());
    const end = Date.now() + windowMs;
    for (const { child } of children) child.stdin.write(`${end}\n`);
    const figures = await Promise.all(results);
    // Each exits by itself once it has answered (and writes its profile first under `--cpu-prof`).
    await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((resolve) => child.once('close', resolve)) : Promise.resolve())));
    return Object.fromEntries(children.map(({ variant }, i) => [variant, JSON.parse(figures[i] as string) as Figures])) as Record<Variant, Figures>;
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill();
  }
}

/** One measurement in this process: `plain` (no telemetry) or `telemetry` (draining exporters). */
async function measure(variant: Variant): Promise<Figures> {
  let telemetry: Telemetry = noTelemetry;
  /** Spans and log records exported since the last call (and forgets them). */
  let exported = (): Promise<{ spans: number; logs: number }> => Promise.resolve({ spans: 0, logs: 0 });
  if (variant === 'telemetry' || variant === 'sampled') {
    // Loaded only here, so that the baseline process never loads OpenTelemetry (as a worker with no exporter configured).
    const { createDrainingTelemetry } = await import('./drainingTelemetry');
    const memory = createDrainingTelemetry(variant === 'sampled' ? { sampler: { kind: 'traceidratio', ratio: SAMPLED_RATIO } } : {});
    telemetry = memory.telemetry;
    exported = () => memory.drained();
  }
  const deliver = await webhookDeliverer(telemetry, variant);
  const concurrency = setting('BENCH_CONCURRENCY', CONCURRENCY);
  await timed(WARM_UP, concurrency, deliver); // warm-up: keys fetched, tables and queue created, code hot
  await exported();
  process.stdout.write('ready\n');
  const end = Number(await new Promise<string>((resolve) => createInterface({ input: process.stdin }).once('line', resolve)));
  const durations: number[] = [];
  const began = performance.now();
  const cpu = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  // Read synchronously at the end (a PerformanceObserver is called back only when the event loop
  // turns, which an in-memory run may never do inside the window).
  const gc = new GCProfiler();
  gc.start();
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      const start = performance.now();
      await deliver();
      durations.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // What is still buffered is exported inside the window's CPU time: exporting is part of the cost.
  const { spans, logs } = await exported();
  const used = process.cpuUsage(cpu);
  const gcMs = (gc.stop()?.statistics ?? []).reduce((sum, event) => sum + event.cost, 0) / 1000;
  const mainUsed = mainThreadCpuMs() - mainBefore;
  const count = durations.length;
  return { count, rate: (count / (performance.now() - began)) * 1000, cpuMs: (used.user + used.system) / 1000 / count, mainCpuMs: mainUsed / count, gcMs: gcMs / count, p50: percentile(durations, 50), p99: percentile(durations, 99), spans, logs };
}

/**
 * One acknowledgement per call: a signed Renew webhook (a new operation each time) through the
 * `webhook` trigger, wrapped by the preInvocation hook every trigger gets (nothing is wrapped without
 * telemetry), with the app's real dependencies on `telemetry`; storage is Azurite (BENCH_STORAGE) or
 * in memory (`storage`; by default BENCH_STORAGE_MODE). Rejects unless the webhook answers 200. Needs BENCH_JWKS
 * and BENCH_AUTHORIZATION from `startBenchKeys`.
 */
export async function webhookDeliverer(telemetry: Telemetry, label: string, storage: 'memory' | 'azurite' = inMemory() ? 'memory' : 'azurite'): Promise<() => Promise<void>> {
  const config = loadConfig({
    AzureWebJobsStorage: process.env.BENCH_STORAGE ?? 'UseDevelopmentStorage=true',
    MARKETPLACE_TENANT_ID: TENANT,
    MARKETPLACE_CLIENT_ID: CLIENT,
    MARKETPLACE_CLIENT_SECRET: 'not-used-by-the-webhook',
    WEBHOOK_JWKS_URL: process.env.BENCH_JWKS,
    STORAGE_TABLE_PREFIX: `bench${label}`,
    LOG_LEVEL: 'info',
  });
  const credential = { getToken: (): Promise<AccessToken> => Promise.resolve({ token: 'unused', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  // Imported here: loading a function file outside a Functions worker prints warnings (test mode).
  const { createWebhookHandler } = await import('../../functions/webhook');
  const app = buildDependencies(config, { telemetry, marketplaceCredential: credential });
  // As deployed: each invocation's wiring is bound to its span (the process's when telemetry is off).
  const getDeps = webhookDependencyGetter(() => app);
  const handler = createWebhookHandler(storage === 'memory' ? withInMemoryStorage(getDeps, telemetry) : getDeps);
  const authorization = process.env.BENCH_AUTHORIZATION ?? '';
  return async () => {
    const body = { id: randomUUID(), activityId: randomUUID(), subscriptionId: randomUUID(), action: 'Renew', status: 'Succeeded', operationRequestSource: 'Azure', timeStamp: new Date().toISOString() };
    const request = new HttpRequest({ method: 'POST', url: 'http://127.0.0.1:7071/api/webhook', headers: { authorization, 'content-type': 'application/json' }, body: { string: JSON.stringify(body) } });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: 'webhook',
      logHandler: () => undefined,
      traceContext: { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` },
      options: { trigger: { type: 'httpTrigger', name: 'request', route: 'webhook', methods: ['POST'], authLevel: 'anonymous' }, extraInputs: [], extraOutputs: [] },
    });
    const hook: InvocationHookContext = { invocationContext: context, inputs: [request], functionHandler: handler };
    instrumentInvocation(telemetry, hook);
    const response = (await (hook.functionHandler as typeof handler)(request, context)) as { status?: number };
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  };
}

/** The JWKS server and the authorization header the measuring processes need (BENCH_JWKS, BENCH_AUTHORIZATION). */
export async function startWebhookKeys(): Promise<{ env: NodeJS.ProcessEnv; close: () => Promise<void> }> {
  const keys = await startBenchKeys();
  const authorization = await keys.authorization({ MARKETPLACE_TENANT_ID: TENANT, MARKETPLACE_CLIENT_ID: CLIENT });
  return { env: { BENCH_JWKS: keys.url, BENCH_AUTHORIZATION: authorization }, close: () => keys.close() };
}

/** `BENCH_STORAGE_MODE=memory`: the ledger and the queue in this process, no Azurite. */
function inMemory(): boolean {
  return process.env.BENCH_STORAGE_MODE === 'memory';
}

/**
 * The webhook's wiring with its two storage round trips in memory: the ledger row encoded as the
 * Table adapter encodes it (and created once per id), the message encoded as the queue adapter
 * encodes it and sent through the same `tracedQueue` wrapper, with the invocation's telemetry (the
 * `send operations` span under the invocation's span, and the trace carrier). The rest of each
 * invocation's wiring is the app's, as deployed. What is left is the handler's own work, so the
 * telemetry's share is not drowned by the Azure SDK's.
 */
function withInMemoryStorage(getDeps: (context: InvocationContext) => WebhookDependencies, telemetry: Telemetry): (context: InvocationContext) => WebhookDependencies {
  const rows = new Map<string, Versioned<OperationRecord>>();
  let sent = 0;
  const queue: MessageQueue<OperationMessage> = {
    name: QUEUE_NAMES.operations,
    send: async (message) => {
      await Promise.resolve();
      encodeQueueMessage(message);
      sent += 1;
      return { messageId: `message-${sent}` };
    },
  };
  const operations: WebhookDependencies['operations'] = {
    create: async (operation) => {
      await Promise.resolve();
      if (rows.has(operation.id)) throw new AlreadyExistsError('Operation', operation.id);
      operationCodec.toEntity(operation);
      const stored = { value: operation, etag: `W/"memory-${rows.size + 1}"` };
      rows.set(operation.id, stored);
      return stored;
    },
    get: async (id) => {
      await Promise.resolve();
      return rows.get(id);
    },
  };
  return (context) => ({ ...getDeps(context), operations, queue: tracedQueue(queue, invocationTelemetry(telemetry, context)) });
}

if (require.main === module) {
  const variant = VARIANTS.find((name) => name === process.argv[2]) ?? 'plain';
  reportFromChild(() => measure(variant));
}
