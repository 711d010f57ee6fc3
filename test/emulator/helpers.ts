import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixedClock } from '../../shared/clock';
import { silentLogger } from '../../shared/logging';
import { createEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/emulator';

export const START = '2025-03-10T12:00:00.000Z';
export const API_VERSION = '2018-08-31';
export const RESOURCE_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';
export const TENANT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const SECRET = 'test-only-secret';

/** The parts of API bodies the tests read (assertions use toMatchObject for the rest). */
export interface SubscriptionJson {
  id: string;
  planId: string;
  quantity?: number;
  saasSubscriptionStatus: string;
  isFreeTrial: boolean;
  allowedCustomerOperations: string[];
  sandboxType: string;
  purchaser: { tenantId: string };
  beneficiary: { tenantId: string };
  term: { termUnit: string; startDate?: string; endDate?: string };
  lastModified: string;
}

export interface OperationJson {
  id: string;
  status: string;
  action: string;
  planId: string;
  quantity?: number;
  errorStatusCode?: string;
}

export interface PlanJson {
  planId: string;
  isPrivate: boolean;
  planComponents: { recurrentBillingTerms: { meteredQuantityIncluded?: { dimensionId: string; units: string }[] }[]; meteringDimensions: unknown[] };
}

export interface WebhookJson {
  id: string;
  action: string;
  status: string;
  [key: string]: unknown;
}

export interface TestEmulator {
  emulator: RunningEmulator;
  clock: ReturnType<typeof fixedClock>;
  /** A valid bearer token for the Marketplace API. */
  token: string;
}

/** An emulator on free ports with a fixed clock, no logs, and fast webhook retries. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = fixedClock(START);
  const emulator = await createEmulator({
    port: 0,
    authorityPort: 0,
    publisherTenantId: TENANT_ID,
    publisherAppId: APP_ID,
    clientSecret: SECRET,
    clock,
    logger: silentLogger,
    webhookRetry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 4, timeoutMs: 2_000 },
    ...options,
  });
  return { emulator, clock, token: await fetchToken(emulator) };
}

/** client_credentials against the token endpoint (the plain-HTTP copy of the authority). */
export async function fetchToken(emulator: RunningEmulator, form: Record<string, string> = {}): Promise<string> {
  const response = await postForm(`${emulator.url}/${TENANT_ID}/oauth2/v2.0/token`, {
    grant_type: 'client_credentials',
    client_id: APP_ID,
    client_secret: SECRET,
    scope: `${RESOURCE_ID}/.default`,
    ...form,
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export function postForm(url: string, form: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
}

export interface ApiCall {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Omit the api-version query parameter. */
  noApiVersion?: boolean;
  /** Bearer token; `null` sends none. */
  token?: string | null;
}

/** Calls the Marketplace API like a publisher backend would (path relative to /api). */
export function api(env: TestEmulator, path: string, call: ApiCall = {}): Promise<Response> {
  const url = new URL(`${env.emulator.apiBaseUrl}${path}`);
  if (!call.noApiVersion) url.searchParams.set('api-version', API_VERSION);
  const headers: Record<string, string> = { ...call.headers };
  const token = call.token === undefined ? env.token : call.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, { method: call.method ?? 'GET', headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
}

/** Calls the control API; returns status and parsed JSON. */
export async function control<T = unknown>(env: TestEmulator, path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${env.emulator.url}/control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function purchase(env: TestEmulator, input: Record<string, unknown>): Promise<{ subscriptionId: string; token: string; landingUrl: string | null }> {
  const result = await control<{ subscriptionId: string; token: string; landingUrl: string | null }>(env, '/purchases', 'POST', input);
  if (result.status !== 201) throw new Error(`purchase failed: ${JSON.stringify(result.body)}`);
  return result.body;
}

/** Purchases and activates; returns the subscription id. */
export async function subscribed(env: TestEmulator, input: Record<string, unknown>): Promise<string> {
  const { subscriptionId } = await purchase(env, input);
  const body: Record<string, unknown> = { planId: input.planId };
  if (input.quantity !== undefined) body.quantity = input.quantity;
  const response = await api(env, `/saas/subscriptions/${subscriptionId}/activate`, { method: 'POST', body });
  if (response.status !== 200) throw new Error(`activate failed: ${await response.text()}`);
  return subscriptionId;
}

export async function getJson<T = unknown>(env: TestEmulator, path: string): Promise<T> {
  return (await (await api(env, path)).json()) as T;
}

/** Polls until `check` returns a value other than undefined/false (state settles asynchronously). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what = 'condition'): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: WebhookJson;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer with for the n-th request (0-based). */
  respond: (index: number) => number;
  waitFor(count: number): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

/** The publisher's webhook endpoint, recording every call. */
export async function startWebhookReceiver(respond: WebhookReceiver['respond'] = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    respond,
    waitFor: (count) => eventually(() => received.length >= count && received, `${count} webhook call(s)`),
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookJson;
      const index = received.length;
      received.push({ headers: req.headers, body });
      res.writeHead(receiver.respond(index)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}

/**
 * One emulator and one webhook receiver for a describe block: started once, reset before each test
 * (emulator state, received webhooks, receiver answering 200, webhooks pointed at the receiver),
 * stopped at the end. Read `env` and `receiver` inside hooks and tests, not at definition time.
 */
export function useEmulatorWithReceiver(): { readonly env: TestEmulator; readonly receiver: WebhookReceiver } {
  let env: TestEmulator | undefined;
  let receiver: WebhookReceiver | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the emulator is not started: use it inside hooks and tests');
    return value;
  };

  beforeAll(async () => {
    env = await startEmulator();
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await env?.emulator.stop();
    await receiver?.stop();
  });

  beforeEach(async () => {
    const current = started(env);
    const target = started(receiver);
    current.emulator.reset();
    target.received.length = 0;
    target.respond = () => 200;
    await control(current, '/config', 'PUT', { webhookUrl: target.url });
  });

  return {
    get env() {
      return started(env);
    },
    get receiver() {
      return started(receiver);
    },
  };
}
