import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { MARKETPLACE_RESOURCE_ID, MARKETPLACE_SCOPE } from '../../shared/marketplace/constants';
import { startStack, type RunningStack } from '../stack';
import { formatMs, percentile, report, timed } from './stats';

/**
 * Webhook figures on the local stack (Azurite + emulator + local Functions host running the built
 * app, host.json as shipped unless BENCH_HOST_ARGS overrides queue timings):
 * 1. acknowledgement latency and throughput of POST /api/webhook with valid tokens, 50 and 200
 *    deliveries in flight (each one verified, recorded and queued before its 200), next to the
 *    same load on a request the host answers without storage (no token: 401), which is what the
 *    host, the loopback HTTP and the client cost on this machine;
 * 2. the delay from a ChangePlan webhook to its PATCH, read from the emulator's operation record
 *    (`created` = webhook sent, `lastModified` = acknowledgement received), on a fresh stack: the
 *    first part leaves thousands of processed messages behind, and Azurite's in-memory queue
 *    store then pauses for seconds about once a minute while it garbage-collects them (its LokiJS
 *    collections rebuild their indexes on every removal), which says nothing about the app.
 * The client is node:http with a keep-alive agent (fetch would cost the client more CPU than the
 * host on two cores).
 */
export async function run(): Promise<void> {
  const keys = await startBenchKeys();
  try {
    await withStack(keys, async (stack) => {
      await acknowledgement(stack, await keys.authorization(stack.settings));
    });
    await withStack(keys, patchDelay);
  } finally {
    await keys.close();
  }
}

async function withStack(keys: BenchKeys, work: (stack: RunningStack) => Promise<void>): Promise<void> {
  const hostArgs = (process.env.BENCH_HOST_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const stack = await startStack({
    appDir: path.resolve(__dirname, '..', '..', '..'),
    hostPort: 0,
    emulatorPort: 0,
    authorityPort: 0,
    settingsOverrides: { WEBHOOK_JWKS_URL: keys.url, LOG_LEVEL: 'warn' },
    hostArgs,
  });
  keys.trust(stack.emulator.jwksUrl);
  try {
    console.log(`host queue args: ${hostArgs.length > 0 ? hostArgs.join(' ') : '(host.json as shipped)'}`);
    await work(stack);
  } finally {
    await stack.stop();
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function acknowledgement(stack: RunningStack, authorization: string): Promise<void> {
  const url = `${stack.hostUrl}/api/webhook`;
  const statuses = new Map<number, number>();
  const count = (status: number): void => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const deliver = async (): Promise<void> => {
    const body = { id: randomUUID(), activityId: randomUUID(), subscriptionId: randomUUID(), action: 'Renew', status: 'Succeeded', operationRequestSource: 'Azure', timeStamp: new Date().toISOString() };
    count(await post(url, { authorization, 'content-type': 'application/json' }, JSON.stringify(body)));
  };
  const unauthenticated = async (): Promise<void> => count(await post(url, { 'content-type': 'application/json' }, '{}'));
  await timed(100, 10, deliver); // warm-up: key set fetched, tables and queue created, code paths hot
  await timed(400, 200, unauthenticated);
  for (const concurrency of [50, 200]) {
    statuses.clear();
    console.log(report(`no storage (401, no token), ${concurrency} in flight`, await timed(4_000, concurrency, unauthenticated)));
    console.log(report(`webhook acknowledgement, ${concurrency} in flight`, await timed(2_000, concurrency, deliver)));
    console.log(`  statuses: ${[...statuses].map(([status, n]) => `${status}×${n}`).join(', ')}`);
    await drain(stack);
  }
}

/** Waits for the processing the first part caused, so it does not weigh on the second. */
async function drain(stack: RunningStack): Promise<void> {
  const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient('operations');
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && ((await queue.getProperties()).approximateMessagesCount ?? 0) > 0) await sleep(500);
}

async function patchDelay(stack: RunningStack): Promise<void> {
  const control = (p: string, body?: unknown): Promise<Record<string, unknown>> =>
    fetch(`${stack.emulator.url}/control${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const token = await emulatorToken(stack);
  const delays: number[] = [];
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 60; i += 1) {
    const bought = await control('/purchases', { offerId: 'contoso-analytics', planId: 'starter' });
    const id = String(bought.subscriptionId);
    await fetch(`${stack.emulator.apiBaseUrl}/saas/subscriptions/${id}/activate?api-version=2018-08-31`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planId: 'starter' }),
    });
    await sleep(Math.floor(Math.random() * 1_500)); // idle gaps of varying length, as real traffic has
    const op = await control(`/subscriptions/${id}/actions`, { action: 'ChangePlan', planId: 'professional' });
    const record = stack.emulator.state.operations.get(String(op.id));
    const deadline = Date.now() + 15_000;
    while (record !== undefined && record.status === 'InProgress' && Date.now() < deadline) await sleep(5);
    if (record === undefined) continue;
    outcomes.set(record.status, (outcomes.get(record.status) ?? 0) + 1);
    const delay = Date.parse(record.lastModified) - Date.parse(record.created);
    if (record.status === 'Succeeded') delays.push(delay);
    if (delay > 5_000) {
      const attempts = stack.emulator.state.deliveries.filter((delivery) => delivery.operationId === record.id).flatMap((delivery) => delivery.attempts);
      const lines = stack.hostOutput().split('\n').filter((line) => line.includes(record.id)).slice(-6);
      console.log(`  slow acknowledgement (${delay} ms): webhook attempts ${JSON.stringify(attempts)}\n    ${lines.join('\n    ')}`);
    }
  }
  console.log(`ChangePlan webhook → PATCH (emulator window 10 s): ${delays.length} acknowledged, p50 ${formatMs(percentile(delays, 50))}, p95 ${formatMs(percentile(delays, 95))}, p99 ${formatMs(percentile(delays, 99))}, max ${formatMs(Math.max(...delays))}`);
  console.log(`  final statuses: ${[...outcomes].map(([status, count]) => `${status}×${count}`).join(', ')}`);
}

async function emulatorToken(stack: RunningStack): Promise<string> {
  const response = await fetch(`${stack.emulator.url}/${stack.emulator.publisherTenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: stack.emulator.publisherAppId,
      client_secret: stack.settings.MARKETPLACE_CLIENT_SECRET ?? '',
      scope: MARKETPLACE_SCOPE,
    }).toString(),
  });
  return String(((await response.json()) as { access_token?: string }).access_token);
}

type BenchKeys = Awaited<ReturnType<typeof startBenchKeys>>;

/** A signing key of our own, served with the emulator's keys, so the bench can sign webhook tokens. */
export async function startBenchKeys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `bench-${randomUUID()}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const upstream: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    void Promise.all(upstream.map((url) => fetch(url).then((r) => r.json() as Promise<{ keys: JWK[] }>)))
      .then((sets) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk, ...sets.flatMap((set) => set.keys)] })))
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
    /** Serves this key set alongside ours (in place of the previous stack's). */
    trust: (url: string) => void upstream.splice(0, upstream.length, url),
    async authorization(settings: Readonly<Record<string, string>>): Promise<string> {
      const tenant = settings.MARKETPLACE_TENANT_ID ?? '';
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ tid: tenant, azp: MARKETPLACE_RESOURCE_ID, ver: '2.0' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(`https://login.microsoftonline.com/${tenant}/v2.0`)
        .setAudience(settings.MARKETPLACE_CLIENT_ID ?? '')
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 3_600)
        .sign(privateKey);
      return `Bearer ${token}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
