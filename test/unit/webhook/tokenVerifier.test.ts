import { createServer } from 'node:http';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { AddressInfo } from 'node:net';
import { AuthenticationError, DependencyUnavailableError } from '../../../shared/errors';
import { createWebhookTokenVerifier, type WebhookTokenVerifier } from '../../../shared/webhook/tokenVerifier';
import { OTHER_TENANT_ID, startWebhookTokenTwin, v1Issuer, v2Issuer, type WebhookTokenTwin } from '../../fakes/webhookTokens';

const NOW = new Date('2026-03-02T12:00:00Z');
const HOUR = 3600;

async function reasonOf(verifier: WebhookTokenVerifier, authorization: string | undefined, now = NOW): Promise<string> {
  try {
    await verifier.verify(authorization, now);
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
}

describe('createWebhookTokenVerifier', () => {
  let twin: WebhookTokenTwin;
  let verifier: WebhookTokenVerifier;

  beforeAll(async () => {
    twin = await startWebhookTokenTwin();
    verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 60 });
  });

  afterAll(() => twin.close());

  it.each(['v1', 'v2'] as const)('accepts a %s Entra token signed by a published key for this tenant and app', async (version) => {
    // Prepare
    const token = await twin.sign({}, { version, now: NOW });

    // Act
    const caller = await verifier.verify(`Bearer ${token}`, NOW);

    // Assess
    expect(caller).toEqual({ tenantId: twin.tenantId, appId: '20e940b3-4c77-4b0b-9a53-9e16a1b010a7', issuer: version === 'v1' ? v1Issuer(twin.tenantId) : v2Issuer(twin.tenantId), version });
  });

  // The forged-request matrix: every row must be refused with its reason code.
  it.each<[string, (t: WebhookTokenTwin) => Promise<string | undefined> | string | undefined, string]>([
    ['no Authorization header', () => undefined, 'missing_token'],
    ['a non-bearer scheme', async (t) => `Basic ${await t.sign({}, { now: NOW })}`, 'missing_token'],
    ['a bearer value that is not a JWT', () => 'Bearer not-a-jwt', 'malformed_token'],
    ['a JWT whose header is not JSON', () => 'Bearer bm90IGpzb24.e30.c2ln', 'malformed_token'],
    ['a JWT whose header names no algorithm', () => 'Bearer e30.e30.c2ln', 'unsupported_alg'],
    ['alg: none without a signature', (t) => `Bearer ${t.unsigned(t.claims('v2', NOW))}`, 'unsupported_alg'],
    ['HS256 signed with the public key as the secret', (t) => `Bearer ${t.signHs256WithPublicKey(t.claims('v2', NOW))}`, 'unsupported_alg'],
    ['a valid RS256 token from a key nobody published', async (t) => `Bearer ${await t.sign({}, { key: 'untrusted', now: NOW })}`, 'unknown_key'],
    ['a token whose signature was tampered with', async (t) => `Bearer ${(await t.sign({}, { now: NOW })).slice(0, -4)}AAAA`, 'bad_signature'],
    ['a token whose claims were swapped after signing', async (t) => {
      const [header, , signature] = (await t.sign({}, { now: NOW })).split('.');
      const payload = Buffer.from(JSON.stringify({ ...t.claims('v2', NOW), tid: OTHER_TENANT_ID })).toString('base64url');
      return `Bearer ${header}.${payload}.${signature}`;
    }, 'bad_signature'],
    ['the wrong audience', async (t) => `Bearer ${await t.sign({ aud: 'some-other-app' }, { now: NOW })}`, 'wrong_audience'],
    ['the wrong tenant (tid)', async (t) => `Bearer ${await t.sign({ tid: OTHER_TENANT_ID }, { now: NOW })}`, 'wrong_tenant'],
    ['the wrong azp (v2)', async (t) => `Bearer ${await t.sign({ azp: 'another-client' }, { version: 'v2', now: NOW })}`, 'wrong_client'],
    ['the wrong appid (v1)', async (t) => `Bearer ${await t.sign({ appid: 'another-client' }, { version: 'v1', now: NOW })}`, 'wrong_client'],
    ['neither appid nor azp', async (t) => `Bearer ${await t.sign({}, { version: 'v2', now: NOW, omit: ['azp'] })}`, 'wrong_client'],
    ['an expired token', async (t) => `Bearer ${await t.sign({}, { now: new Date(NOW.getTime() - 2 * HOUR * 1000) })}`, 'expired'],
    ['a token not yet valid', async (t) => `Bearer ${await t.sign({}, { now: new Date(NOW.getTime() + 600_000) })}`, 'not_yet_valid'],
    ['a token without exp', async (t) => `Bearer ${await t.sign({}, { now: NOW, omit: ['exp'] })}`, 'invalid_claims'],
    ['the wrong issuer', async (t) => `Bearer ${await t.sign({ iss: 'https://evil.example/' }, { now: NOW })}`, 'wrong_issuer'],
    ['a token copied from another tenant (its iss and tid)', async (t) => `Bearer ${await t.sign({ iss: v2Issuer(OTHER_TENANT_ID), tid: OTHER_TENANT_ID }, { now: NOW })}`, 'wrong_issuer'],
  ])('refuses %s', async (_name, forge, reason) => {
    // Prepare
    const authorization = await forge(twin);

    // Act
    const outcome = await reasonOf(verifier, authorization);

    // Assess
    expect(outcome).toBe(reason);
  });

  it('tolerates clock skew up to the configured seconds on both ends', async () => {
    // Prepare
    const early = await twin.sign({}, { now: new Date(NOW.getTime() + 50_000) });
    const late = await twin.sign({}, { now: new Date(NOW.getTime() - (HOUR + 50) * 1000) });

    // Act
    const outcomes = [await reasonOf(verifier, `Bearer ${early}`), await reasonOf(verifier, `Bearer ${late}`)];

    // Assess
    expect(outcomes).toEqual(['accepted', 'accepted']);
  });

  it('never puts the token in the error it throws', async () => {
    // Prepare
    const token = await twin.sign({ aud: 'nope' }, { now: NOW });

    // Act
    const error = (await verifier.verify(`Bearer ${token}`, NOW).catch((caught: unknown) => caught)) as AuthenticationError;

    // Assess
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(token.split('.')[1]);
    expect(error.cause).toBeUndefined();
  });
});

describe('createWebhookTokenVerifier key handling', () => {
  it('fetches the key set once for many tokens', async () => {
    // Prepare
    const twin = await startWebhookTokenTwin();
    const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 0 });
    const token = `Bearer ${await twin.sign({}, { now: NOW })}`;

    // Act
    for (let i = 0; i < 20; i += 1) await verifier.verify(token, NOW);

    // Assess
    expect(twin.jwksRequests).toBe(1);
    await twin.close();
  });

  it('refreshes the key set when a token names a key it has not seen (after the cooldown)', async () => {
    // Prepare
    const twin = await startWebhookTokenTwin();
    const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 0, cooldownMs: 0 });
    await verifier.verify(`Bearer ${await twin.sign({}, { now: NOW })}`, NOW);
    await twin.rotate();

    // Act
    const caller = await verifier.verify(`Bearer ${await twin.sign({}, { now: NOW })}`, NOW);

    // Assess
    expect(caller.tenantId).toBe(twin.tenantId);
    expect(twin.jwksRequests).toBe(2);
    await twin.close();
  });

  it('does not refetch for unknown keys during the cooldown, so forged kids cannot hammer the key endpoint', async () => {
    // Prepare
    const twin = await startWebhookTokenTwin();
    const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 0, cooldownMs: 60_000 });
    await verifier.verify(`Bearer ${await twin.sign({}, { now: NOW })}`, NOW);
    const forged = `Bearer ${await twin.sign({}, { key: 'untrusted', now: NOW })}`;

    // Act
    const reasons = [];
    for (let i = 0; i < 5; i += 1) reasons.push(await reasonOf(verifier, forged));

    // Assess
    expect(reasons).toEqual(Array(5).fill('unknown_key'));
    expect(twin.jwksRequests).toBe(1);
    await twin.close();
  });

  it('verifies a token the marketplace reuses once, but still refuses it once it expires', async () => {
    // Prepare
    const twin = await startWebhookTokenTwin();
    const remote = createRemoteJWKSet(new URL(twin.jwksUrl));
    let keyLookups = 0;
    const keys: JWTVerifyGetKey = (header, token) => {
      keyLookups += 1;
      return remote(header, token);
    };
    const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 60, keys });
    const token = `Bearer ${await twin.sign({}, { now: NOW })}`;

    // Act
    for (let i = 0; i < 10; i += 1) await verifier.verify(token, new Date(NOW.getTime() + i * 60_000));
    const lookupsWhileFresh = keyLookups;
    const afterExpiry = await reasonOf(verifier, token, new Date(NOW.getTime() + (HOUR + 61) * 1000));

    // Assess
    expect(lookupsWhileFresh).toBe(1);
    expect(afterExpiry).toBe('expired');
    await twin.close();
  });

  it('does not remember refused tokens', async () => {
    // Prepare
    const twin = await startWebhookTokenTwin();
    const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 0 });
    const wrongTenant = `Bearer ${await twin.sign({ tid: OTHER_TENANT_ID }, { now: NOW })}`;

    // Act
    const reasons = [await reasonOf(verifier, wrongTenant), await reasonOf(verifier, wrongTenant)];

    // Assess
    expect(reasons).toEqual(['wrong_tenant', 'wrong_tenant']);
    await twin.close();
  });

  it('reports an unreachable key set as a dependency outage (503, retried), not as a refusal (401)', async () => {
    // Prepare
    const server = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const twin = await startWebhookTokenTwin();
    const verifier = createWebhookTokenVerifier({
      ...twin.settings,
      jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
      clockSkewSeconds: 0,
    });

    // Act
    const error = await verifier.verify(`Bearer ${await twin.sign({}, { now: NOW })}`, NOW).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    await twin.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});
