import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { consoleLogger, type Logger } from '../shared/logging';
import { readBody } from './emulator/http';
import { createSigningKey, jwks, signJwt } from './emulator/jwt';
import type { TokenVersion } from './emulator/model';
import { webhookTokenClaims } from './emulator/tokens';

/**
 * A development-only relay for marketplace emulators that send webhooks without a bearer token
 * (Microsoft's SaaS API emulator cannot get one without a real Entra app registration). It listens
 * on 127.0.0.1, accepts calls from loopback callers only, and forwards each one to the app's
 * webhook (a loopback URL only) with an Entra-shaped RS256 token signed by a key that exists only
 * in this process. The app trusts that key because it is pointed at the relay's key set
 * (`WEBHOOK_JWKS_URL=<relay>/keys`); its own token check stays on, as in production, and a
 * deployed app, which reads Microsoft's key set, never trusts it.
 */
export interface WebhookRelayOptions {
  /** The app's webhook, e.g. `http://127.0.0.1:7071/api/webhook`. Must be a loopback URL. */
  targetUrl: string;
  /** The publisher tenant and app the app expects (MARKETPLACE_TENANT_ID, MARKETPLACE_CLIENT_ID). */
  tenantId: string;
  appId: string;
  /** 0 picks a free port. */
  port?: number;
  tokenVersion?: TokenVersion;
  logger?: Logger;
}

export interface RunningWebhookRelay {
  /** Where the emulator sends its webhooks. */
  readonly webhookUrl: string;
  /** Set as the app's WEBHOOK_JWKS_URL. */
  readonly jwksUrl: string;
  /** Calls forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function loopbackTarget(targetUrl: string): URL {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    throw new Error(`The relay target ${targetUrl} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol) || !(LOOPBACK_HOSTS.has(url.hostname) || /^127\./.test(url.hostname))) {
    throw new Error(`The relay forwards only to a loopback URL (http://127.0.0.1:<port>/api/webhook), not ${targetUrl}`);
  }
  return url;
}

export async function startWebhookRelay(options: WebhookRelayOptions): Promise<RunningWebhookRelay> {
  const target = loopbackTarget(options.targetUrl);
  const key = createSigningKey();
  const identity = { tenantId: options.tenantId, appId: options.appId, marketplaceObjectId: randomUUID() };
  const logger = options.logger ?? consoleLogger({ level: 'info' });
  const keySet = JSON.stringify(jwks([key]));
  let forwarded = 0;

  const answer = (res: ServerResponse, status: number, body: string, contentType = 'application/json'): void => {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return answer(res, 403, JSON.stringify({ error: 'the relay accepts loopback callers only' }));
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (req.method === 'GET' && (path === '/keys' || path.endsWith('/discovery/v2.0/keys') || path.endsWith('/discovery/keys'))) return answer(res, 200, keySet);
    if (req.method !== 'POST') return answer(res, 405, JSON.stringify({ error: 'POST a webhook call, or GET /keys' }));
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413, JSON.stringify({ error: 'the body is larger than 1 MiB' }));
    const token = signJwt(key, webhookTokenClaims(identity, options.tokenVersion ?? 'v2', Math.floor(Date.now() / 1000)));
    const response = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': req.headers['content-type'] ?? 'application/json' },
      body,
      redirect: 'manual',
    });
    forwarded += 1;
    const text = await response.text();
    logger.info('webhook relayed', { status: response.status, bytes: Buffer.byteLength(body) });
    answer(res, response.status, text, response.headers.get('content-type') ?? 'text/plain');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.warn('webhook relay could not reach the app', { error });
      if (!res.headersSent) answer(res, 502, JSON.stringify({ error: 'the app did not answer' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    webhookUrl: `${base}/webhook`,
    jwksUrl: `${base}/keys`,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const RELAY_USAGE = `Usage: node dist/dev/webhookRelay.js [options]   (every option also reads the environment variable shown)
  --port <n>            port on 127.0.0.1 (RELAY_PORT, default 7074)
  --target <url>        the app's webhook, loopback only (RELAY_TARGET, default http://127.0.0.1:7071/api/webhook)
  --tenant-id <guid>    publisher tenant the app expects (MARKETPLACE_TENANT_ID)
  --app-id <guid>       publisher app client id the app expects (MARKETPLACE_CLIENT_ID)
  --token-version v1|v2 layout of the signed token (RELAY_TOKEN_VERSION, default v2)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, target: { type: 'string' }, 'tenant-id': { type: 'string' }, 'app-id': { type: 'string' }, 'token-version': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    console.log(RELAY_USAGE);
    return;
  }
  const tenantId = values['tenant-id'] ?? process.env.MARKETPLACE_TENANT_ID;
  const appId = values['app-id'] ?? process.env.MARKETPLACE_CLIENT_ID;
  const version = values['token-version'] ?? process.env.RELAY_TOKEN_VERSION ?? 'v2';
  if (tenantId === undefined || appId === undefined || (version !== 'v1' && version !== 'v2')) {
    console.error(`--tenant-id and --app-id are required, --token-version is v1 or v2\n${RELAY_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const relay = await startWebhookRelay({
    targetUrl: values.target ?? process.env.RELAY_TARGET ?? 'http://127.0.0.1:7071/api/webhook',
    tenantId,
    appId,
    port: Number(values.port ?? process.env.RELAY_PORT ?? 7074),
    tokenVersion: version,
  });
  console.log(`webhook relay listening: send webhooks to ${relay.webhookUrl}`);
  console.log(`set the app's WEBHOOK_JWKS_URL=${relay.jwksUrl} (development only; the app keeps checking every token)`);
  const stop = (): void => void relay.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
