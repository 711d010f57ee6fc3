import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context';
import { signJwt, verifyJwt, JwtError } from './jwt';
import { MARKETPLACE_RESOURCE_ID, type TokenVersion } from './model';

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
export const WEBHOOK_TOKEN_LIFETIME_SECONDS = 3600;

export const v1Issuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;
export const v2Issuer = (tenantId: string): string => `https://login.microsoftonline.com/${tenantId}/v2.0`;

const opaque = (): string => randomBytes(24).toString('base64url');

function nowSeconds(ctx: EmulatorContext): number {
  return Math.floor(ctx.tokenClock.now().getTime() / 1000);
}

export interface IssuedToken {
  accessToken: string;
  issuedAt: number;
  expiresOn: number;
}

/**
 * An app-only access token for the Marketplace API, the way Entra issues it to a client-credentials
 * or managed-identity caller: v1 layout (`appid`, sts.windows.net issuer), `aud` = the resource id.
 */
export function issueAccessToken(ctx: EmulatorContext, clientId: string): IssuedToken {
  const iat = nowSeconds(ctx);
  const exp = iat + ACCESS_TOKEN_LIFETIME_SECONDS;
  const { tenantId } = ctx.identity;
  const accessToken = signJwt(ctx.keys[0], {
    aud: MARKETPLACE_RESOURCE_ID,
    iss: v1Issuer(tenantId),
    iat,
    nbf: iat,
    exp,
    aio: opaque(),
    appid: clientId,
    appidacr: '1',
    idp: v1Issuer(tenantId),
    idtyp: 'app',
    oid: randomUUID(),
    rh: opaque(),
    sub: randomUUID(),
    tid: tenantId,
    uti: opaque(),
    ver: '1.0',
  });
  return { accessToken, issuedAt: iat, expiresOn: exp };
}

/**
 * The claims of the bearer token on webhook calls (§4.6): `aud` = the publisher app, `tid` = the
 * publisher tenant, and `appid` (v1) or `azp` (v2) = the Marketplace resource id, with the real
 * issuers. Shared by the emulator and the development webhook relay (dev/webhookRelay.ts).
 */
export function webhookTokenClaims(
  identity: { tenantId: string; appId: string; marketplaceObjectId: string },
  version: TokenVersion,
  iat: number,
): Record<string, unknown> {
  const { tenantId, appId, marketplaceObjectId } = identity;
  const common = {
    aud: appId,
    iat,
    nbf: iat,
    exp: iat + WEBHOOK_TOKEN_LIFETIME_SECONDS,
    aio: opaque(),
    oid: marketplaceObjectId,
    rh: opaque(),
    sub: marketplaceObjectId,
    tid: tenantId,
    uti: opaque(),
  };
  return version === 'v1'
    ? { ...common, iss: v1Issuer(tenantId), appid: MARKETPLACE_RESOURCE_ID, appidacr: '2', idp: v1Issuer(tenantId), ver: '1.0' }
    : { ...common, iss: v2Issuer(tenantId), azp: MARKETPLACE_RESOURCE_ID, azpacr: '2', ver: '2.0' };
}

/** The bearer token on the emulator's webhook calls. */
export function issueWebhookToken(ctx: EmulatorContext, version: TokenVersion): string {
  return signJwt(ctx.keys[0], webhookTokenClaims(ctx.identity, version, nowSeconds(ctx)));
}

/**
 * Checks the bearer token of a Marketplace API call: signed by the emulator, unexpired, for the
 * Marketplace resource, issued in the publisher tenant to the publisher app. Returns why not, or undefined.
 */
export function bearerProblem(ctx: EmulatorContext, authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return 'The Authorization header is missing or is not a bearer token.';
  let claims: Record<string, unknown>;
  try {
    claims = verifyJwt(match[1], ctx.keys, nowSeconds(ctx));
  } catch (error) {
    return error instanceof JwtError ? error.message : 'Invalid token.';
  }
  if (claims.aud !== MARKETPLACE_RESOURCE_ID) return 'The token audience is not the Marketplace API.';
  if (claims.tid !== ctx.identity.tenantId) return 'The token was issued in another tenant.';
  const caller = claims.appid ?? claims.azp;
  if (caller !== ctx.identity.appId) return 'The token belongs to an app that is not registered for this offer.';
  return undefined;
}
