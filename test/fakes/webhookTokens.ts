import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { MARKETPLACE_RESOURCE_ID } from '../../shared/marketplace/constants';

/**
 * The test-signing twin of shared/webhook/tokenVerifier.ts (as stripe ships a test header generator
 * next to its verifier): local RS256 keys, their JWKS served on 127.0.0.1, and Entra-shaped webhook
 * tokens, so tests never mock the verifier. It also forges the tokens an attacker would try.
 */
export const TWIN_TENANT_ID = '5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
export const TWIN_APP_ID = 'b8c3e5a1-6d2f-4a7b-9e1c-3f5d7a9b1c2e';
export const OTHER_TENANT_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';

export const v1Issuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;
export const v2Issuer = (tenantId: string): string => `https://login.microsoftonline.com/${tenantId}/v2.0`;

export type TokenVersion = 'v1' | 'v2';

export interface SignOptions {
  version?: TokenVersion;
  /** `trusted` (in the JWKS, default) or `untrusted` (a valid RS256 key nobody published). */
  key?: 'trusted' | 'untrusted';
  /** Issue time (default: now). */
  now?: Date;
  /** Claims to drop from the defaults. */
  omit?: readonly string[];
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export interface WebhookTokenTwin {
  readonly jwksUrl: string;
  readonly tenantId: string;
  readonly appId: string;
  /** The verifier settings that accept this twin's tokens. */
  readonly settings: { jwksUrl: string; issuers: string[]; audiences: string[]; tenantId: string };
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  /** The default claims of a real webhook token, for `version` and `now`. */
  claims(version?: TokenVersion, now?: Date): JWTPayload;
  /** An RS256 webhook token: the default claims with `overrides` applied. */
  sign(overrides?: JWTPayload, options?: SignOptions): Promise<string>;
  /** `Bearer <sign(...)>`. */
  authorization(overrides?: JWTPayload, options?: SignOptions): Promise<string>;
  /** HS256 with the trusted public key (PEM) as the HMAC secret: the algorithm-confusion attack. */
  signHs256WithPublicKey(overrides?: JWTPayload): string;
  /** `alg: none`, no signature. */
  unsigned(overrides?: JWTPayload): string;
  /** Publishes a new key and signs with it from now on (the old one stays published). */
  rotate(): Promise<void>;
  /** Also serve the keys published at `url` (e.g. the emulator's), merged into this JWKS. */
  trustKeysFrom(url: string): void;
  close(): Promise<void>;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

export async function startWebhookTokenTwin(identity: { tenantId?: string; appId?: string } = {}): Promise<WebhookTokenTwin> {
  const tenantId = identity.tenantId ?? TWIN_TENANT_ID;
  const appId = identity.appId ?? TWIN_APP_ID;
  const published: SigningKey[] = [await newKey()];
  const untrusted = await newKey();
  const upstreams: string[] = [];
  let jwksRequests = 0;

  const server = createServer((req, res) => {
    jwksRequests += 1;
    void Promise.all(upstreams.map((url) => fetch(url).then((r) => r.json() as Promise<{ keys?: JWK[] }>)))
      .then((sets) => {
        const keys = [...published.map((key) => key.publicJwk), ...sets.flatMap((set) => set.keys ?? [])];
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      })
      .catch(() => res.writeHead(502).end());
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${tenantId}/discovery/v2.0/keys`;
  const current = (): SigningKey => published[published.length - 1] as SigningKey;

  const claims = (version: TokenVersion = 'v2', now = new Date()): JWTPayload => {
    const iat = Math.floor(now.getTime() / 1000);
    const common = { aud: appId, iat, nbf: iat, exp: iat + 3600, tid: tenantId, oid: 'marketplace-sp', sub: 'marketplace-sp', uti: randomUUID() };
    return version === 'v1'
      ? { ...common, iss: v1Issuer(tenantId), appid: MARKETPLACE_RESOURCE_ID, appidacr: '2', ver: '1.0' }
      : { ...common, iss: v2Issuer(tenantId), azp: MARKETPLACE_RESOURCE_ID, azpacr: '2', ver: '2.0' };
  };
  const build = (overrides: JWTPayload, options: SignOptions): JWTPayload => {
    const payload: JWTPayload = { ...claims(options.version, options.now), ...overrides };
    for (const name of options.omit ?? []) delete payload[name];
    return payload;
  };
  const sign = (overrides: JWTPayload = {}, options: SignOptions = {}): Promise<string> => {
    const key = options.key === 'untrusted' ? untrusted : current();
    return new SignJWT(build(overrides, options)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
  };

  return {
    jwksUrl,
    tenantId,
    appId,
    settings: { jwksUrl, issuers: [v1Issuer(tenantId), v2Issuer(tenantId)], audiences: [appId, `api://${appId}`], tenantId },
    get jwksRequests() {
      return jwksRequests;
    },
    claims,
    sign,
    authorization: async (overrides, options) => `Bearer ${await sign(overrides, options)}`,
    signHs256WithPublicKey(overrides = {}) {
      const input = `${encode({ alg: 'HS256', typ: 'JWT', kid: current().kid })}.${encode(build(overrides, {}))}`;
      return `${input}.${createHmac('sha256', current().publicPem).update(input).digest('base64url')}`;
    },
    unsigned: (overrides = {}) => `${encode({ alg: 'none', typ: 'JWT' })}.${encode(build(overrides, {}))}.`,
    async rotate() {
      published.push(await newKey());
    },
    trustKeysFrom(url) {
      upstreams.push(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
