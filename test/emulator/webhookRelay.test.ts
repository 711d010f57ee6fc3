import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../shared/logging';
import { createWebhookTokenVerifier } from '../../shared/webhook/tokenVerifier';
import { isLoopbackAddress, startWebhookRelay, type RunningWebhookRelay } from '../../dev/webhookRelay';

const TENANT_ID = '5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
const APP_ID = 'b8c3e5a1-6d2f-4a7b-9e1c-3f5d7a9b1c2e';
const BODY = JSON.stringify({ id: 'op-1', subscriptionId: 'sub-1', action: 'Suspend', status: 'Succeeded' });

interface Received {
  authorization?: string;
  body: string;
  verified: boolean | string;
}

/** The app's side: the real token verifier, pointed at the relay's key set, as WEBHOOK_JWKS_URL does. */
async function startApp(jwksUrl: () => string): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const verifier = () =>
    createWebhookTokenVerifier({
      jwksUrl: jwksUrl(),
      issuers: [`https://sts.windows.net/${TENANT_ID}/`, `https://login.microsoftonline.com/${TENANT_ID}/v2.0`],
      audiences: [APP_ID],
      tenantId: TENANT_ID,
      clockSkewSeconds: 60,
      cacheSize: 0,
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = { authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8'), verified: false };
      received.push(entry);
      verifier()
        .verify(req.headers.authorization, new Date())
        .then(() => {
          entry.verified = true;
          res.writeHead(200).end('ok');
        })
        .catch((error: Error) => {
          entry.verified = error.message;
          res.writeHead(401).end('refused');
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the development webhook relay', () => {
  let relay: RunningWebhookRelay;
  let app: Awaited<ReturnType<typeof startApp>>;

  beforeEach(async () => {
    app = await startApp(() => relay.jwksUrl);
    relay = await startWebhookRelay({ targetUrl: app.url, tenantId: TENANT_ID, appId: APP_ID, logger: silentLogger });
  });

  afterEach(async () => {
    await relay.close();
    await app.close();
  });

  it('forwards an unsigned webhook call signed with its own key, which the app verifies through WEBHOOK_JWKS_URL', async () => {
    // Act
    const response = await fetch(relay.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(app.received).toEqual([{ authorization: expect.stringMatching(/^Bearer ey/), body: BODY, verified: true }]);
    expect(relay.forwarded).toBe(1);
  });

  it('changes nothing for the app itself: an unsigned call straight to the app is still refused', async () => {
    // Act
    const response = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });

    // Assess
    expect(response.status).toBe(401);
    expect(app.received[0]?.verified).not.toBe(true);
  });

  it('passes the app’s refusal back to the caller', async () => {
    // Prepare: a relay for another publisher app than the one the app expects
    const other = await startWebhookRelay({ targetUrl: app.url, tenantId: TENANT_ID, appId: '00000000-0000-4000-8000-000000000001', logger: silentLogger });

    try {
      // Act
      const refused = await fetch(other.webhookUrl, { method: 'POST', body: BODY });

      // Assess: the app reads the first relay's keys, so the other relay's signature is unknown too
      expect(refused.status).toBe(401);
      expect(app.received[0]?.verified).not.toBe(true);
    } finally {
      await other.close();
    }
  });

  it('serves its key set, and nothing but POST and the keys', async () => {
    // Act
    const keys = (await (await fetch(relay.jwksUrl)).json()) as { keys: Array<{ kty: string; kid: string; d?: string }> };
    const put = await fetch(relay.webhookUrl, { method: 'PUT', body: BODY });

    // Assess
    expect(keys.keys).toEqual([expect.objectContaining({ kty: 'RSA', kid: expect.any(String) })]);
    expect(keys.keys[0]?.d).toBeUndefined();
    expect(put.status).toBe(405);
  });

  it('refuses to forward anywhere but loopback, and to callers that are not on loopback', async () => {
    // Act
    const remote = startWebhookRelay({ targetUrl: 'https://contoso.example/api/webhook', tenantId: TENANT_ID, appId: APP_ID, logger: silentLogger });

    // Assess
    await expect(remote).rejects.toThrow('loopback URL');
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.5')).toBe(false);
    expect(isLoopbackAddress('::ffff:192.168.1.9')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});
