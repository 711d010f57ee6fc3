import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from './context';
import { header, json, parseFormBody, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import { jwks } from './jwt';
import { MARKETPLACE_RESOURCE_ID, MARKETPLACE_SCOPE } from './model';
import { ACCESS_TOKEN_LIFETIME_SECONDS, issueAccessToken, v1Issuer, v2Issuer } from './tokens';

const METADATA_TENANTS = new Set(['common', 'organizations']);

/** An Entra-shaped error (`AADSTS…` codes as the real service uses them). */
function entraError(status: number, error: string, code: number, description: string): EmulatorResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

function tenantNotFound(tenant: string): EmulatorResponse {
  return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. The emulator only knows the publisher tenant.`);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function openIdConfiguration(ctx: EmulatorContext, req: EmulatorRequest, version: 'v1' | 'v2'): EmulatorResponse {
  const tenant = req.params.tenant ?? '';
  if (tenant !== ctx.identity.tenantId && !METADATA_TENANTS.has(tenant)) return tenantNotFound(tenant);
  const issuerTenant = tenant === ctx.identity.tenantId ? tenant : '{tenantid}';
  const base = `${req.baseUrl}/${tenant}`;
  const v2 = version === 'v2';
  const oauth = v2 ? `${base}/oauth2/v2.0` : `${base}/oauth2`;
  return json(200, {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2 ? v2Issuer(issuerTenant) : v1Issuer(issuerTenant),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${oauth}/authorize`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    end_session_endpoint: `${oauth}/logout`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  });
}

/** client_id + client_secret from the form (client_secret_post) or from Basic auth (client_secret_basic). */
function clientCredentials(req: EmulatorRequest, form: URLSearchParams): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(header(req, 'authorization') ?? '');
  if (basic?.[1]) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { clientId: id && decodeURIComponent(id), clientSecret: secret && decodeURIComponent(secret) };
  }
  return { clientId: form.get('client_id') ?? undefined, clientSecret: form.get('client_secret') ?? undefined };
}

/** Shared checks of both token endpoints; returns an error response or the client id. */
function checkClient(ctx: EmulatorContext, req: EmulatorRequest, form: URLSearchParams): EmulatorResponse | { clientId: string } {
  const tenant = req.params.tenant ?? '';
  if (tenant !== ctx.identity.tenantId) return tenantNotFound(tenant);
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`);
  }
  const { clientId, clientSecret } = clientCredentials(req, form);
  if (clientId !== ctx.identity.appId) {
    return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory.`);
  }
  if (clientSecret === undefined || !sameSecret(clientSecret, ctx.identity.clientSecret)) {
    return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  }
  return { clientId };
}

function tokenV2(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const form = parseFormBody(req);
  const checked = checkClient(ctx, req, form);
  if ('status' in checked) return checked;
  const scope = form.get('scope') ?? '';
  if (scope.split(' ').filter(Boolean).join(' ') !== MARKETPLACE_SCOPE) {
    return entraError(400, 'invalid_scope', 1002012, `The provided value for scope '${scope}' is not valid. Request '${MARKETPLACE_SCOPE}'.`);
  }
  const issued = issueAccessToken(ctx, checked.clientId);
  return json(200, {
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    access_token: issued.accessToken,
  });
}

function tokenV1(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const form = parseFormBody(req);
  const checked = checkClient(ctx, req, form);
  if ('status' in checked) return checked;
  const resource = form.get('resource') ?? '';
  if (resource !== MARKETPLACE_RESOURCE_ID) {
    return entraError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant.`);
  }
  const issued = issueAccessToken(ctx, checked.clientId);
  return json(200, {
    token_type: 'Bearer',
    expires_in: String(ACCESS_TOKEN_LIFETIME_SECONDS),
    ext_expires_in: String(ACCESS_TOKEN_LIFETIME_SECONDS),
    expires_on: String(issued.expiresOn),
    not_before: String(issued.issuedAt),
    resource,
    access_token: issued.accessToken,
  });
}

/** App Service managed identity (api-version 2019-08-01), as IDENTITY_ENDPOINT serves it. */
function managedIdentityToken(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const identityHeader = header(req, 'x-identity-header');
  if (identityHeader === undefined || !sameSecret(identityHeader, ctx.identity.identityHeader)) {
    return json(401, { statusCode: 401, message: 'X-IDENTITY-HEADER is missing or wrong.' });
  }
  if (req.url.searchParams.get('api-version') !== '2019-08-01') return json(400, { statusCode: 400, message: 'api-version must be 2019-08-01.' });
  const resource = (req.url.searchParams.get('resource') ?? '').replace(/\/\.default$/, '').replace(/\/$/, '');
  if (resource !== MARKETPLACE_RESOURCE_ID) return json(400, { statusCode: 400, message: `Unknown resource '${resource}'.` });
  const clientId = req.url.searchParams.get('client_id') ?? ctx.identity.appId;
  const issued = issueAccessToken(ctx, clientId);
  return json(200, {
    access_token: issued.accessToken,
    expires_on: String(issued.expiresOn),
    resource: MARKETPLACE_RESOURCE_ID,
    token_type: 'Bearer',
    client_id: clientId,
  });
}

/** Instance discovery (msal calls it unless `disableInstanceDiscovery`): the listener is its own only alias. */
function instanceDiscovery(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const host = new URL(req.baseUrl).host;
  const endpoint = req.url.searchParams.get('authorization_endpoint') ?? '';
  const tenant = /\/([^/]+)\/oauth2\//.exec(endpoint)?.[1] ?? ctx.identity.tenantId;
  return json(200, {
    tenant_discovery_endpoint: `${req.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/** The Entra-like endpoints; mounted on both the HTTPS authority listener and the HTTP listener. */
export function registerAuthorityRoutes(router: Router, ctx: EmulatorContext): void {
  const keys = (): EmulatorResponse => json(200, jwks(ctx.keys));
  router
    .add('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) => openIdConfiguration(ctx, req, 'v2'))
    .add('GET', '/:tenant/.well-known/openid-configuration', (req) => openIdConfiguration(ctx, req, 'v1'))
    .add('GET', '/:tenant/discovery/v2.0/keys', keys)
    .add('GET', '/:tenant/discovery/keys', keys)
    .add('GET', '/common/discovery/instance', (req) => instanceDiscovery(ctx, req))
    .add('POST', '/:tenant/oauth2/v2.0/token', (req) => tokenV2(ctx, req))
    .add('POST', '/:tenant/oauth2/token', (req) => tokenV1(ctx, req))
    .add('GET', '/msi/token', (req) => managedIdentityToken(ctx, req));
}
