import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { parseArgs } from 'node:util';

/**
 * `npm run smoke -- <base-url> [--key <function key>]`: checks a deployed app from the outside,
 * as Microsoft and a buyer would reach it. Each check prints PASS, FAIL or SKIP with what was seen;
 * the exit code is 1 when any check failed (2 for a usage error). Nothing is written: the webhook
 * checks are refused before any state is touched, and the admin checks only read.
 */
export interface SmokeCheck {
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

export interface SmokeOptions {
  baseUrl: string;
  /** A function (or host/master) key: lets the OpenAPI check fetch the document when it is keyed. */
  key?: string;
  /** Per request; generous by default because a Flex Consumption app may be cold. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const USAGE = `Usage: npm run smoke -- <base-url> [--key <function key>] [--timeout-ms <n>]

  <base-url>   the app's address, e.g. https://contoso-fulfillment.azurewebsites.net (or http://127.0.0.1:7071)
  --key        a function key (or SMOKE_FUNCTION_KEY): the OpenAPI document is fetched with it
  --timeout-ms per request (default 60000: the first request may wake a cold app)
`;

/** Keyed endpoints probed without a key (read-only, so a misconfigured app that lets them through changes nothing). */
const KEYED_ENDPOINTS = ['/api/subscriptions?pageSize=1', `/api/operations/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, '/api/ops/poison/activations'];

export async function runSmoke(options: SmokeOptions): Promise<SmokeCheck[]> {
  const base = normalizeBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const doFetch = options.fetchImpl ?? fetch;
  const request = async (path: string, init: RequestInit = {}): Promise<{ status: number; type: string; body: string }> => {
    const response = await doFetch(`${base}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  const checks: SmokeCheck[] = [];
  const check = async (name: string, run: () => Promise<Omit<SmokeCheck, 'name'>>): Promise<void> => {
    try {
      checks.push({ name, ...(await run()) });
    } catch (error) {
      checks.push({ name, outcome: 'fail', detail: `request failed: ${describeError(error)}` });
    }
  };
  const expectStatus = (seen: { status: number; body: string }, status: number, what: string): Omit<SmokeCheck, 'name'> =>
    seen.status === status ? { outcome: 'pass', detail: `${status} ${what}` } : { outcome: 'fail', detail: `expected ${status}, got ${seen.status}: ${excerpt(seen.body)}` };

  await check('health', async () => {
    const seen = await request('/api/health');
    if (seen.status !== 200) return { outcome: 'fail', detail: `expected 200, got ${seen.status}: ${excerpt(seen.body)}` };
    const status = parseJson(seen.body)?.status;
    return status === 'ok' ? { outcome: 'pass', detail: '200 {"status":"ok"}' } : { outcome: 'fail', detail: `200 but status is ${JSON.stringify(status)}` };
  });

  const webhookBody = JSON.stringify({ id: randomUUID(), activityId: randomUUID(), subscriptionId: randomUUID(), offerId: 'smoke', planId: 'smoke', action: 'Unsubscribe', timeStamp: new Date().toISOString(), status: 'Succeeded' });
  await check('webhook without a token', async () =>
    expectStatus(await request('/api/webhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: webhookBody }), 401, 'refused'),
  );
  await check('webhook with a forged token', async () =>
    expectStatus(
      await request('/api/webhook', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${forgedToken()}` }, body: webhookBody }),
      401,
      'refused',
    ),
  );

  await check('landing page without a token', async () => {
    const seen = await request('/api/landing');
    if (seen.status !== 400) return { outcome: 'fail', detail: `expected 400, got ${seen.status}: ${excerpt(seen.body)}` };
    if (!seen.type.startsWith('text/html') || !/<html[\s>]/i.test(seen.body)) return { outcome: 'fail', detail: `400 but not the HTML page (content-type ${seen.type || 'none'})` };
    return { outcome: 'pass', detail: '400 with the HTML page' };
  });

  await check('OpenAPI document', async () => {
    const anonymous = await request('/api/openapi.json');
    const keyed = anonymous.status === 401 && options.key !== undefined ? await request('/api/openapi.json', { headers: { 'x-functions-key': options.key } }) : anonymous;
    if (keyed.status === 401) return { outcome: 'skip', detail: '401 without a key: pass --key (or SMOKE_FUNCTION_KEY) to fetch it' };
    if (keyed.status !== 200) return { outcome: 'fail', detail: `expected 200, got ${keyed.status}: ${excerpt(keyed.body)}` };
    const document = parseJson(keyed.body);
    const version = document?.openapi;
    const paths = document?.paths;
    if (typeof version !== 'string' || !version.startsWith('3.') || paths === null || typeof paths !== 'object') return { outcome: 'fail', detail: '200 but not an OpenAPI 3 document' };
    return { outcome: 'pass', detail: `200, OpenAPI ${version}, ${Object.keys(paths).length} paths` };
  });

  await check('admin endpoints without a key', async () => {
    const wrong: string[] = [];
    for (const path of KEYED_ENDPOINTS) {
      for (const headers of [{}, { 'x-functions-key': `smoke-wrong-${randomUUID()}` }] as Array<Record<string, string>>) {
        const seen = await request(path, { headers });
        if (seen.status !== 401) wrong.push(`${path}${'x-functions-key' in headers ? ' (wrong key)' : ''}: ${seen.status}`);
      }
    }
    return wrong.length === 0
      ? { outcome: 'pass', detail: `401 for ${KEYED_ENDPOINTS.length} endpoints, without a key and with a wrong one` }
      : { outcome: 'fail', detail: `expected 401: ${wrong.join('; ')}` };
  });
  return checks;
}

/** `https://x.net`, `https://x.net/`, `https://x.net/api` all mean the app at `https://x.net`. */
export function normalizeBaseUrl(input: string): string {
  if (!URL.canParse(input)) throw new Error(`"${input}" is not an absolute URL`);
  const url = new URL(input);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`"${input}" is not an http(s) URL`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`;
}

/** A well-formed RS256 token with plausible claims, signed by a key nobody trusts. */
function forgedToken(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', kid: `smoke-${randomUUID()}` });
  const tenant = randomUUID();
  const payload = encode({ aud: randomUUID(), iss: `https://sts.windows.net/${tenant}/`, tid: tenant, appid: '20e940b3-4c77-4b0b-9a53-9e16a1b010a7', iat: now, nbf: now, exp: now + 600 });
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty body)' : flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

export function formatReport(baseUrl: string, checks: readonly SmokeCheck[]): string {
  const label = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
  const lines = checks.map((c) => `${label[c.outcome]}  ${c.name}: ${c.detail}`);
  const count = (outcome: SmokeCheck['outcome']): number => checks.filter((c) => c.outcome === outcome).length;
  const skipped = count('skip') > 0 ? `, ${count('skip')} skipped` : '';
  return `smoke checks against ${baseUrl}\n${lines.join('\n')}\n${count('pass')} passed, ${count('fail')} failed${skipped}\n`;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let baseUrl: string;
  let options: SmokeOptions;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { key: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', default: false } },
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('give exactly one base URL');
    const timeout = values['timeout-ms'];
    if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new Error('--timeout-ms must be a whole number of milliseconds');
    baseUrl = normalizeBaseUrl(positionals[0] ?? '');
    const key = values.key ?? (env.SMOKE_FUNCTION_KEY || undefined);
    options = { baseUrl, key, timeoutMs: timeout === undefined ? undefined : Number(timeout) };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const checks = await runSmoke(options);
  process.stdout.write(formatReport(baseUrl, checks));
  return checks.some((c) => c.outcome === 'fail') ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`smoke failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
