import { spawn } from 'node:child_process';
import { childRuntime, reportFromChild } from './childRuntime';
import { startWebhookKeys, webhookDeliverer } from './webhookTelemetry.bench';
import { noTelemetry, type Telemetry, withTraceCarrier } from '../../shared/telemetry';
import { machineLoad } from './procCpu';
import { percentile, timed } from './stats';

/**
 * What telemetry adds to one acknowledgement, and what one span, one log record, one counter
 * increment and one trace carrier cost, each as the webhook's acknowledgement makes it (same names,
 * kinds, attributes and fields), in microseconds of CPU time of the process (garbage collection
 * included). In one process, with the app's OpenTelemetry wiring (batch processors; exporters that
 * drain each batch as a network exporter does, see drainingTelemetry.ts):
 * - ACKS acknowledgements through the webhook handler with the ledger and queue in memory
 *   (webhookTelemetry.bench.ts's `webhookDeliverer`), CONCURRENCY in flight, without telemetry and
 *   then with it;
 * - OPS calls of each primitive through `noTelemetry` and then through the OpenTelemetry wiring.
 * The cost of one call is the difference per call; each of ROUNDS rounds gives one (after one
 * round to warm up), and the median is printed with each round's figure. Both sides run in the same
 * process, so what the process as a whole pays for having telemetry (modules loaded, a heap that
 * holds the batches, code that competes for the caches) is not in these figures: webhookTelemetry
 * measures that. Runs in a
 * child process on `BENCH_NODE` / `BENCH_NODE_ARGS` like webhookTelemetry.
 */
const OPS = 20_000;
const ROUNDS = 5;
/** Acknowledgements per round with and without telemetry, and how many are in flight. */
const ACKS = 10_000;
const CONCURRENCY = 50;

/** The primitives, each a function that makes one of them through `telemetry`. */
const PRIMITIVES: Record<string, (telemetry: Telemetry, i: number) => Promise<unknown> | undefined> = {
  // The invocation span of `POST /api/webhook`: a server span whose parent is the host's trace context.
  'invocation span': (telemetry, i) =>
    telemetry.inSpan(
      'POST /api/webhook',
      {
        kind: 'server',
        parent: { traceparent: `00-${TRACE_IDS[i % TRACE_IDS.length]}-00f067aa0ba902b7-01` },
        attributes: {
          'faas.name': 'webhook',
          'faas.invocation_id': INVOCATION_ID,
          'faas.trigger': 'http',
          'http.request.method': 'POST',
          'http.route': '/api/webhook',
        },
      },
      (span) => {
        span.setAttributes({ 'http.response.status_code': 200 });
        return Promise.resolve();
      },
    ),
  // `send operations`: a producer span under the active one, plus its message id once sent.
  'child span': (telemetry) =>
    telemetry.inSpan('send operations', { kind: 'producer', attributes: SEND_ATTRIBUTES }, (span) => {
      span.setAttributes({ 'messaging.message.id': MESSAGE_ID });
      return Promise.resolve();
    }),
  // The trace context added to the queue message (inside the active span).
  'trace carrier': (telemetry) => {
    withTraceCarrier(telemetry, MESSAGE);
    return undefined;
  },
  // `webhook received` with the fields the logger adds (invocation, component, operation).
  'log record': (telemetry) => {
    telemetry.log('info', 'webhook received', LOG_FIELDS);
    return undefined;
  },
  'counter': (telemetry) => {
    telemetry.count('webhook.received', { outcome: 'accepted' });
    return undefined;
  },
};

const TRACE_IDS = Array.from({ length: 64 }, (_v, i) => `4bf92f3577b34da6a3ce929d0e0e${(0x1000 + i).toString(16)}`);
const INVOCATION_ID = '0f3b9a52-5d34-4f1b-9a0e-1c2d3e4f5a6b';
const MESSAGE_ID = '7d3c2b1a-0f9e-4d8c-b7a6-958473625140';
const SEND_ATTRIBUTES = { 'messaging.system': 'azure_storage_queues', 'messaging.operation.type': 'send', 'messaging.destination.name': 'operations' };
const MESSAGE = { operationId: INVOCATION_ID, subscriptionId: MESSAGE_ID, action: 'Renew', receivedAt: '2026-12-06T17:00:00.000Z', etag: 'W/"1"' };
const LOG_FIELDS = {
  invocationId: INVOCATION_ID,
  functionName: 'webhook',
  component: 'webhook',
  operationId: INVOCATION_ID,
  subscriptionId: MESSAGE_ID,
  action: 'Renew',
  outcome: 'queued',
  tokenVersion: 'v2',
  source: 'Azure',
};

interface Figures {
  /** Per primitive, each round's cost of one call in µs. */
  rounds: Record<string, number[]>;
  spans: number;
  logs: number;
}

export async function run(): Promise<void> {
  const runtime = childRuntime();
  const keys = await startWebhookKeys();
  console.log(`before: ${machineLoad()}`);
  const figures = await new Promise<Figures>((resolve, reject) => {
    const child = spawn(runtime.node, [...runtime.args, __filename, 'measure'], { env: { ...process.env, ...keys.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Figures) : reject(new Error(`the measuring process exited with ${code}`))));
  });
  await keys.close();
  console.log(`after: ${machineLoad()}`);
  console.log(`measured in a child process: ${runtime.node}${runtime.args.length > 0 ? ` ${runtime.args.join(' ')}` : ''}; per round ${ACKS} acknowledgements and ${OPS} calls of each primitive, with and without telemetry; ${ROUNDS} rounds`);
  const list = (values: number[]): string => values.map((value) => value.toFixed(2)).join(', ');
  const { acknowledgement = [], plainAcknowledgement = [], ...primitives } = figures.rounds;
  const cost = acknowledgement.map((added, round) => added / (plainAcknowledgement[round] as number));
  console.log(`  acknowledgement (storage in memory): ${percentile(plainAcknowledgement, 50).toFixed(2)} µs CPU without telemetry (rounds ${list(plainAcknowledgement)})`);
  console.log(`    telemetry adds ${percentile(acknowledgement, 50).toFixed(2)} µs (rounds ${list(acknowledgement)}), ${(percentile(cost, 50) * 100).toFixed(1)}% (median of the rounds' ratios)`);
  for (const [name, rounds] of Object.entries(primitives)) {
    console.log(`  ${name.padEnd(16)}: ${percentile(rounds, 50).toFixed(2)} µs CPU per call (median; rounds ${list(rounds)})`);
  }
  console.log(`  exported: ${figures.spans} spans, ${figures.logs} log records`);
}

/** CPU time of this process (user + system, every thread), in µs. */
function cpuMicros(): number {
  const used = process.cpuUsage();
  return used.user + used.system;
}

async function loop(telemetry: Telemetry, make: (telemetry: Telemetry, i: number) => Promise<unknown> | undefined): Promise<number> {
  const before = cpuMicros();
  for (let i = 0; i < OPS; i += 1) {
    const pending = make(telemetry, i);
    if (pending !== undefined) await pending;
  }
  return cpuMicros() - before;
}

async function measure(): Promise<Figures> {
  const { createDrainingTelemetry } = await import('./drainingTelemetry');
  const memory = createDrainingTelemetry();
  const { telemetry } = memory;
  const rounds: Record<string, number[]> = {};
  let spans = 0;
  let logs = 0;
  // The child span and the carrier are made under a parent span, as in the acknowledgement: with the
  // telemetry scoped to it (the trace context is explicit).
  const inParent = (name: string, over: Telemetry, work: (scoped: Telemetry) => Promise<number>): Promise<number> =>
    name === 'child span' || name === 'trace carrier' ? over.inSpan('parent', { kind: 'server' }, (span) => work(span.telemetry)) : work(over);
  // The whole acknowledgement (storage in memory), ACKS at a time with CONCURRENCY in flight.
  const plain = await webhookDeliverer(noTelemetry, 'plain', 'memory');
  const traced = await webhookDeliverer(telemetry, 'telemetry', 'memory');
  const acknowledgements = async (deliver: () => Promise<void>): Promise<number> => {
    const before = cpuMicros();
    await timed(ACKS, CONCURRENCY, deliver);
    return cpuMicros() - before;
  };
  for (let round = -1; round < ROUNDS; round += 1) {
    const without = await acknowledgements(plain);
    const withTelemetry = await acknowledgements(traced);
    const flushStart = cpuMicros();
    const drained = await memory.drained();
    const flushed = cpuMicros() - flushStart;
    spans += drained.spans;
    logs += drained.logs;
    if (round >= 0) {
      (rounds['acknowledgement'] ??= []).push((withTelemetry + flushed - without) / ACKS);
      (rounds['plainAcknowledgement'] ??= []).push(without / ACKS);
    }
    for (const [name, make] of Object.entries(PRIMITIVES)) {
      const without = await inParent(name, noTelemetry, (scoped) => loop(scoped, make));
      const withTelemetry = await inParent(name, telemetry, (scoped) => loop(scoped, make));
      // What is still buffered is exported inside the measured time: exporting is part of the cost.
      const flushStart = cpuMicros();
      const drained = await memory.drained();
      const flushed = cpuMicros() - flushStart;
      spans += drained.spans;
      logs += drained.logs;
      // Round -1 warms the code up and is not counted.
      if (round >= 0) (rounds[name] ??= []).push((withTelemetry + flushed - without) / OPS);
    }
  }
  await telemetry.shutdown();
  return { rounds, spans, logs };
}

if (require.main === module && process.argv[2] === 'measure') reportFromChild(measure);
