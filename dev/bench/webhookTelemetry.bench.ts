import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { AccessToken } from '@azure/core-auth';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadConfig } from '../../shared/config';
import { buildDependencies } from '../../shared/dependencies';
import { instrumentInvocation, noTelemetry, type InvocationHookContext, type Telemetry } from '../../shared/telemetry';
import { webhookDependenciesFrom } from '../../shared/webhook/webhookDependencies';
import { startAzurite } from '../azurite';
import { formatMs, percentile, timed } from './stats';
import { startBenchKeys } from './webhook.bench';

/**
 * Acknowledgement throughput of the webhook with telemetry exporting (the real OpenTelemetry wiring,
 * in-memory exporters, batch processors as in production) and without (no exporter configured: what
 * a deployment without telemetry runs), in the same run. Each figure comes from its own child process,
 * so the baseline never loads OpenTelemetry or its AsyncLocalStorage context manager; the variants
 * alternate three times and the medians are compared. The cost is read from the CPU time the worker
 * process spends per acknowledgement (a count that other load on the machine barely moves; wall-clock
 * throughput is printed too). Each delivery is a signed Renew webhook
 * through the `webhook` trigger (and, with telemetry, the preInvocation wrapper every trigger gets),
 * verified, recorded and queued in Azurite, the host and the HTTP client left out.
 */
const TOTAL = 1_500;
const CONCURRENCY = 50;
/** Rounds (each runs every variant once); BENCH_ROUNDS overrides. */
const ROUNDS = 3;
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';

/** plain: no telemetry; context: only the AsyncLocalStorage context manager; telemetry: everything, in-memory exporters. */
const VARIANTS = ['plain', 'context', 'telemetry'] as const;
type Variant = (typeof VARIANTS)[number];

interface Figures {
  rate: number;
  /** CPU time of this process per acknowledgement (user + system), in ms. */
  cpuMs: number;
  p50: number;
  p99: number;
  spans: number;
  logs: number;
}

export async function run(): Promise<void> {
  const azurite = await startAzurite();
  const keys = await startBenchKeys();
  try {
    const authorization = await keys.authorization({ MARKETPLACE_TENANT_ID: TENANT, MARKETPLACE_CLIENT_ID: CLIENT });
    const env = { ...process.env, BENCH_STORAGE: azurite.connectionString, BENCH_JWKS: keys.url, BENCH_AUTHORIZATION: authorization };
    const results: Record<Variant, Figures[]> = { plain: [], context: [], telemetry: [] };
    const { node, args } = childRuntime();
    const { stdout: version } = await promisify(execFile)(node, [...args, '-p', 'process.version']);
    console.log(`measured in child processes: node ${version.trim()}${args.length > 0 ? ` ${args.join(' ')}` : ''}${node === process.execPath ? '' : ` (${node})`}`);
    const rounds = roundsWanted();
    for (let round = 0; round < rounds; round += 1) {
      // Every other round runs the variants in reverse order, so that a drift in the machine's load
      // weighs on both sides of each comparison alike.
      for (const variant of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const { stdout } = await promisify(execFile)(node, [...args, __filename, variant], { env, maxBuffer: 1 << 20 });
        const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
        results[variant].push(figures);
        console.log(`round ${round + 1} ${variant.padEnd(9)}: ${figures.cpuMs.toFixed(3)} ms CPU per acknowledgement, ${figures.rate.toFixed(0)}/s, p50 ${formatMs(figures.p50)}, p99 ${formatMs(figures.p99)}${variant === 'telemetry' ? `, ${figures.spans} spans, ${figures.logs} log records exported` : ''}`);
      }
    }
    const median = (values: number[]): number => percentile(values, 50);
    const cpu = (variant: Variant): number => median(results[variant].map((f) => f.cpuMs));
    const rate = (variant: Variant): number => median(results[variant].map((f) => f.rate));
    /** Each round's cost (its variant against its own baseline), then the median over the rounds. */
    const cost = (variant: Variant): number => median(results[variant].map((f, round) => 1 - (results.plain[round] as Figures).cpuMs / f.cpuMs));
    const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
    const perRound = (variant: Variant): string => results[variant].map((f, round) => percent(1 - (results.plain[round] as Figures).cpuMs / f.cpuMs)).join(', ');
    console.log(`webhook acknowledgement, ${CONCURRENCY} in flight, ${TOTAL} per run, median of ${rounds}:`);
    console.log(`  CPU of the worker per acknowledgement: without telemetry ${cpu('plain').toFixed(3)} ms, context propagation only ${cpu('context').toFixed(3)} ms, telemetry exporting ${cpu('telemetry').toFixed(3)} ms`);
    console.log(`  telemetry cost per round: ${perRound('telemetry')}; context propagation alone: ${perRound('context')}`);
    console.log(`  throughput a CPU-bound worker keeps with telemetry: ${percent(1 - cost('telemetry'))} (cost ${percent(cost('telemetry'))}, of which context propagation ${percent(cost('context'))}; target: at most 10%)`);
    console.log(`  wall-clock throughput (noisy on a shared machine): ${rate('plain').toFixed(0)}/s without, ${rate('telemetry').toFixed(0)}/s with telemetry`);
  } finally {
    await keys.close();
    await azurite.stop();
  }
}

function roundsWanted(): number {
  const wanted = Number(process.env.BENCH_ROUNDS ?? ROUNDS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : ROUNDS;
}

/**
 * The Node binary and flags the measuring processes run with: `BENCH_NODE` (a path; default: the
 * node running the bench) and `BENCH_NODE_ARGS` (space-separated, e.g. `--experimental-async-context-frame`),
 * so the same figures can be taken on each runtime the app may be deployed on.
 */
function childRuntime(): { node: string; args: string[] } {
  const node = process.env.BENCH_NODE?.trim() || process.execPath;
  const args = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg.length > 0);
  return { node, args };
}

/** One measurement in this process: `plain` (no telemetry) or `telemetry` (in-memory exporters). */
async function measure(variant: Variant): Promise<Figures> {
  const config = loadConfig({
    AzureWebJobsStorage: process.env.BENCH_STORAGE,
    MARKETPLACE_TENANT_ID: TENANT,
    MARKETPLACE_CLIENT_ID: CLIENT,
    MARKETPLACE_CLIENT_SECRET: 'not-used-by-the-webhook',
    WEBHOOK_JWKS_URL: process.env.BENCH_JWKS,
    STORAGE_TABLE_PREFIX: variant === 'plain' ? 'benchplain' : 'benchotel',
    LOG_LEVEL: 'info',
  });
  let telemetry: Telemetry = noTelemetry;
  /** Spans and log records exported since the last call (and forgets them). */
  let exported = (): Promise<{ spans: number; logs: number }> => Promise.resolve({ spans: 0, logs: 0 });
  if (variant === 'telemetry') {
    // Loaded only here, so that the baseline process never loads OpenTelemetry.
    const { createInMemoryTelemetry } = await import('../inMemoryTelemetry');
    const memory = createInMemoryTelemetry();
    telemetry = memory.telemetry;
    exported = async () => {
      const { spans, logs } = await memory.collect();
      memory.reset();
      return { spans: spans.length, logs: logs.length };
    };
  }
  if (variant === 'context') {
    const { context } = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // What every span does: run the handler inside a context (here an empty one).
    const inner = telemetry;
    telemetry = { ...inner, enabled: true, inSpan: (_name, _options, fn) => context.with(context.active(), () => fn({ setAttributes: () => undefined, fail: () => undefined })) };
  }
  const credential = { getToken: (): Promise<AccessToken> => Promise.resolve({ token: 'unused', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  // Imported here: loading a function file outside a Functions worker prints warnings (test mode).
  const { createWebhookHandler } = await import('../../functions/webhook');
  const deps = webhookDependenciesFrom(buildDependencies(config, { telemetry, marketplaceCredential: credential }));
  const handler = createWebhookHandler(() => deps);
  const authorization = process.env.BENCH_AUTHORIZATION ?? '';
  const deliver = async (): Promise<void> => {
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
  await timed(300, CONCURRENCY, deliver); // warm-up: keys fetched, tables and queue created, code hot
  await exported();
  const cpu = process.cpuUsage();
  const result = await timed(TOTAL, CONCURRENCY, deliver);
  const { spans, logs } = await exported();
  const used = process.cpuUsage(cpu);
  return { rate: (TOTAL / result.wallMs) * 1000, cpuMs: (used.user + used.system) / 1000 / TOTAL, p50: percentile(result.durations, 50), p99: percentile(result.durations, 99), spans, logs };
}

if (require.main === module) {
  const variant = VARIANTS.find((name) => name === process.argv[2]) ?? 'plain';
  measure(variant).then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
