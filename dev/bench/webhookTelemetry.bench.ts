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
 * alternate three times and the medians are compared. Each delivery is a signed Renew webhook
 * through the `webhook` trigger (and, with telemetry, the preInvocation wrapper every trigger gets),
 * verified, recorded and queued in Azurite, the host and the HTTP client left out.
 */
const TOTAL = 1_500;
const CONCURRENCY = 50;
const ROUNDS = 3;
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';

/** plain: no telemetry; context: only the AsyncLocalStorage context manager; telemetry: everything, in-memory exporters. */
const VARIANTS = ['plain', 'context', 'telemetry'] as const;
type Variant = (typeof VARIANTS)[number];

interface Figures {
  rate: number;
  p50: number;
  p99: number;
  spans: number;
}

export async function run(): Promise<void> {
  const azurite = await startAzurite();
  const keys = await startBenchKeys();
  try {
    const authorization = await keys.authorization({ MARKETPLACE_TENANT_ID: TENANT, MARKETPLACE_CLIENT_ID: CLIENT });
    const env = { ...process.env, BENCH_STORAGE: azurite.connectionString, BENCH_JWKS: keys.url, BENCH_AUTHORIZATION: authorization };
    const results: Record<Variant, Figures[]> = { plain: [], context: [], telemetry: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const variant of VARIANTS) {
        const { stdout } = await promisify(execFile)(process.execPath, [__filename, variant], { env, maxBuffer: 1 << 20 });
        const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
        results[variant].push(figures);
        console.log(`round ${round + 1} ${variant.padEnd(9)}: ${figures.rate.toFixed(0)}/s, p50 ${formatMs(figures.p50)}, p99 ${formatMs(figures.p99)}${variant === 'telemetry' ? `, ${figures.spans} spans exported` : ''}`);
      }
    }
    const median = (values: number[]): number => percentile(values, 50);
    const plain = median(results.plain.map((f) => f.rate));
    const traced = median(results.telemetry.map((f) => f.rate));
    console.log(`webhook acknowledgement, ${CONCURRENCY} in flight, ${TOTAL} per run, median of ${ROUNDS}: without telemetry ${plain.toFixed(0)}/s, with telemetry exporting ${traced.toFixed(0)}/s`);
    console.log(`  telemetry keeps ${((traced / plain) * 100).toFixed(1)}% of the throughput (cost ${((1 - traced / plain) * 100).toFixed(1)}%; target: at most 10%)`);
    const context = median(results.context.map((f) => f.rate));
    console.log(`  of which async context propagation alone (AsyncLocalStorage context manager, nothing recorded): ${context.toFixed(0)}/s, cost ${((1 - context / plain) * 100).toFixed(1)}%`);
  } finally {
    await keys.close();
    await azurite.stop();
  }
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
  /** Spans exported since the last call (and forgets them). */
  let exported = (): Promise<number> => Promise.resolve(0);
  if (variant === 'telemetry') {
    // Loaded only here, so that the baseline process never loads OpenTelemetry.
    const { createInMemoryTelemetry } = await import('../inMemoryTelemetry');
    const memory = createInMemoryTelemetry();
    telemetry = memory.telemetry;
    exported = async () => {
      const count = (await memory.collect()).spans.length;
      memory.reset();
      return count;
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
  const result = await timed(TOTAL, CONCURRENCY, deliver);
  const spans = await exported();
  return { rate: (TOTAL / result.wallMs) * 1000, p50: percentile(result.durations, 50), p99: percentile(result.durations, 99), spans };
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
