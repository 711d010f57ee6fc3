import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { APP_ID, RESOURCE_ID, SECRET, START, TENANT_ID, api, postForm, startEmulator, type TestEmulator } from './helpers';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** GET over HTTPS trusting only the emulator's CA (fetch cannot take a CA per call). */
function httpsGetJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    })
      .on('error', reject)
      .end();
  });
}

describe('emulator authority (Entra-like token issuance)', () => {
  let env: TestEmulator;

  beforeAll(async () => {
    env = await startEmulator();
  });

  afterAll(async () => {
    await env.emulator.stop();
  });

  afterEach(() => {
    env.clock.set(START);
  });

  const tokenUrl = (tenant = TENANT_ID): string => `${env.emulator.url}/${tenant}/oauth2/v2.0/token`;
  const form = (overrides: Record<string, string>) => ({
    grant_type: 'client_credentials',
    client_id: APP_ID,
    client_secret: SECRET,
    scope: `${RESOURCE_ID}/.default`,
    ...overrides,
  });

  it('gives a real ClientSecretCredential a token the Marketplace API accepts (child process with NODE_EXTRA_CA_CERTS)', async () => {
    // Prepare
    const script = [
      "const { ClientSecretCredential } = require('@azure/identity');",
      'const [authorityHost, tenant, clientId, secret, scope] = process.argv.slice(1);',
      'new ClientSecretCredential(tenant, clientId, secret, { authorityHost, disableInstanceDiscovery: true })',
      '  .getToken(scope)',
      '  .then((t) => process.stdout.write(JSON.stringify({ token: t.token })), (e) => process.stdout.write(JSON.stringify({ error: String(e.message) })));',
    ].join('\n');

    // Act
    const { stdout } = await run(process.execPath, ['-e', script, env.emulator.authorityUrl, TENANT_ID, APP_ID, SECRET, `${RESOURCE_ID}/.default`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: env.emulator.caCertPath },
    });
    const result = JSON.parse(stdout) as { token?: string; error?: string };

    // Assess
    expect(result.error).toBeUndefined();
    expect(decodeJwt(result.token ?? '')).toMatchObject({ aud: RESOURCE_ID, tid: TENANT_ID, appid: APP_ID });
    expect((await api(env, '/saas/subscriptions', { token: result.token })).status).toBe(200);
  });

  it('serves openid-configuration over HTTPS with a certificate signed by the exposed CA', async () => {
    // Act
    const { status, body } = await httpsGetJson(`${env.emulator.authorityUrl}/${TENANT_ID}/v2.0/.well-known/openid-configuration`, readFileSync(env.emulator.caCertPath));

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_endpoint: `${env.emulator.authorityUrl}/${TENANT_ID}/oauth2/v2.0/token`,
      jwks_uri: `${env.emulator.authorityUrl}/${TENANT_ID}/discovery/v2.0/keys`,
      issuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
      authorization_endpoint: expect.any(String),
    });
  });

  it('answers the v2 token endpoint with token_type, expires_in, ext_expires_in and access_token', async () => {
    // Act
    const response = await postForm(tokenUrl(), form({}));

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });
  });

  it.each([
    ['a wrong secret', TENANT_ID, { client_secret: 'wrong' }, 401, 'invalid_client', 7000215],
    ['an unknown client', TENANT_ID, { client_id: '99999999-9999-4999-8999-999999999999' }, 400, 'unauthorized_client', 700016],
    ['another scope', TENANT_ID, { scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_scope', 1002012],
    ['another grant type', TENANT_ID, { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['another tenant', '99999999-9999-4999-8999-999999999999', {}, 400, 'invalid_request', 90002],
  ])('refuses %s with an Entra-shaped error', async (_label, tenant, overrides: Record<string, string>, status, error, code) => {
    // Act
    const response = await postForm(tokenUrl(tenant), form(overrides));

    // Assess
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error, error_codes: [code], error_description: expect.stringMatching(new RegExp(`^AADSTS${code}:`)) });
  });

  it('answers the v1 endpoint with the resource and string numbers, and the token works', async () => {
    // Act
    const response = await postForm(`${env.emulator.url}/${TENANT_ID}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: APP_ID,
      client_secret: SECRET,
      resource: RESOURCE_ID,
    });
    const body = await response.json();

    // Assess
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: '3599', ext_expires_in: '3599', resource: RESOURCE_ID, expires_on: expect.stringMatching(/^\d+$/) });
    expect((await api(env, '/saas/subscriptions', { token: body.access_token })).status).toBe(200);
  });

  it('serves App Service managed identity tokens only with the identity header, and 403s a token of another app', async () => {
    // Prepare
    const msi = (query: string, headers: Record<string, string>) => fetch(`${env.emulator.identityEndpoint}?api-version=2019-08-01&${query}`, { headers });
    const identityHeader = { 'x-identity-header': 'local-emulator-identity-header' };

    // Act
    const noHeader = await msi(`resource=${RESOURCE_ID}`, {});
    const own = await (await msi(`resource=${RESOURCE_ID}`, identityHeader)).json();
    const other = await (await msi(`resource=${RESOURCE_ID}&client_id=99999999-9999-4999-8999-999999999999`, identityHeader)).json();

    // Assess
    expect(noHeader.status).toBe(401);
    expect(own).toMatchObject({ token_type: 'Bearer', resource: RESOURCE_ID, expires_on: expect.stringMatching(/^\d+$/) });
    expect((await api(env, '/saas/subscriptions', { token: own.access_token })).status).toBe(200);
    expect((await api(env, '/saas/subscriptions', { token: other.access_token })).status).toBe(403);
  });

  it('rejects an access token once it has expired', async () => {
    // Act
    env.clock.advance(2 * 3_600_000);
    const response = await api(env, '/saas/subscriptions');

    // Assess
    expect(response.status).toBe(403);
  });
});
