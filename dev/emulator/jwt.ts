import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** An RS256 signing key with the public half as a JWK, the way Entra publishes its keys. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: { kty: 'RSA'; use: 'sig'; kid: string; x5t: string; n: string; e: string };
}

export type JwtClaims = Record<string, unknown>;

export class JwtError extends Error {
  constructor(readonly reason: string) {
    super(`Invalid token: ${reason}`);
    this.name = 'JwtError';
  }
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const n = String(jwk.n);
  const e = String(jwk.e);
  // RFC 7638 thumbprint; Entra's kid and x5t are also base64url hashes of the key material.
  const thumbprint = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
  const kid = thumbprint.slice(0, 27);
  return { kid, privateKey, publicKey, publicJwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n, e } };
}

export function jwks(keys: readonly SigningKey[]): { keys: SigningKey['publicJwk'][] } {
  return { keys: keys.map((key) => key.publicJwk) };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function signJwt(key: SigningKey, claims: JwtClaims): string {
  const signingInput = `${encode({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwtError('malformed');
}

/** Verifies an RS256 JWT signed by one of `keys` and valid at `nowSeconds` (± `skewSeconds`). */
export function verifyJwt(token: string, keys: readonly SigningKey[], nowSeconds: number, skewSeconds = 300): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeSegment(headerPart);
  if (header.alg !== 'RS256') throw new JwtError('unsupported alg');
  const key = keys.find((candidate) => candidate.kid === header.kid);
  if (!key) throw new JwtError('unknown signing key');
  const valid = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key.publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!valid) throw new JwtError('bad signature');
  const claims = decodeSegment(payloadPart);
  if (typeof claims.exp !== 'number' || claims.exp + skewSeconds <= nowSeconds) throw new JwtError('expired');
  if (typeof claims.nbf === 'number' && claims.nbf - skewSeconds > nowSeconds) throw new JwtError('not yet valid');
  return claims;
}
