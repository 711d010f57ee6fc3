import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { systemClock, type Clock } from '../../shared/clock';
import { consoleLogger, type Logger } from '../../shared/logging';
import { registerAuthorityRoutes } from './authority';
import { catalogSchema, DEFAULT_CATALOG, type Catalog, type CatalogInput } from './catalog';
import { ensureTlsMaterial } from './certificates';
import { checkHttpUrl, checkLoopbackUrl } from './config';
import type { EmulatorContext, EmulatorUrls } from './context';
import { registerControlRoutes, type ControlDeps } from './control';
import { FaultInjector } from './faults';
import { registerFulfillmentRoutes } from './fulfillment';
import { Router } from './http';
import { createSigningKey } from './jwt';
import { rejectFromWebhook } from './lifecycle';
import { registerMeteringRoutes } from './metering';
import { createState, type EmulatorConfig, type EmulatorState, type TokenVersion } from './model';
import { registerOperationRoutes } from './operations';
import { Scheduler, createEmulatorClock } from './scheduler';
import { close, createRequestListener, listen } from './server';
import { Timers } from './timers';
import { issueWebhookToken } from './tokens';
import { registerUiRoutes } from './ui';
import { DEFAULT_WEBHOOK_RETRY, WebhookDispatcher, type WebhookRetryPolicy } from './webhooks';

/** Development defaults (not secrets: they only unlock the local emulator). */
export const DEFAULT_PUBLISHER_TENANT_ID = '5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
export const DEFAULT_PUBLISHER_APP_ID = 'b8c3e5a1-6d2f-4a7b-9e1c-3f5d7a9b1c2e';
export const DEFAULT_CLIENT_SECRET = 'local-emulator-client-secret';
export const DEFAULT_IDENTITY_HEADER = 'local-emulator-identity-header';

export interface EmulatorOptions {
  /** HTTP port for the Marketplace API, control API and page; 0 = a free port. Default 7072. */
  port?: number;
  /** HTTPS port of the Entra-like authority; 0 = a free port. Default 0. */
  authorityPort?: number;
  publisherTenantId?: string;
  /** The app's client id: accepted by the token endpoint, `aud` of webhook tokens. */
  publisherAppId?: string;
  clientSecret?: string;
  /** X-IDENTITY-HEADER expected by the managed-identity endpoint. */
  identityHeader?: string;
  /** Loopback URL that receives lifecycle webhooks (settable later through PUT /control/config). */
  webhookUrl?: string;
  landingPageUrl?: string;
  /** Window to acknowledge ChangePlan/ChangeQuantity/Reinstate before auto-accept (default 10 000). */
  ackWindowMs?: number;
  /** Webhook JWT layout (default v2). */
  tokenVersion?: TokenVersion;
  /** List page size (default 100). */
  pageSize?: number;
  /** Emulator-time delay before a publisher PATCH/DELETE operation starts (default 1000). */
  operationDelayMs?: number;
  /** Send a `Subscribe` webhook on activation (default false). */
  subscribeWebhook?: boolean;
  webhookRetry?: Partial<WebhookRetryPolicy>;
  /** Directory to cache the TLS CA and certificate in (default: a temporary directory). */
  certDir?: string;
  clock?: Clock;
  catalog?: CatalogInput;
  logger?: Logger;
}

export interface RunningEmulator {
  /** http://127.0.0.1:port */
  readonly url: string;
  /** url + '/api' */
  readonly apiBaseUrl: string;
  /** https://127.0.0.1:port2 (give it to ClientSecretCredential as `authorityHost`). */
  readonly authorityUrl: string;
  /** The CA that signed the authority's certificate (for NODE_EXTRA_CA_CERTS). */
  readonly caCertPath: string;
  readonly jwksUrl: string;
  /** App Service managed-identity endpoint (IDENTITY_ENDPOINT). */
  readonly identityEndpoint: string;
  readonly publisherTenantId: string;
  readonly publisherAppId: string;
  readonly catalog: Catalog;
  /** Live state, for tests to read (treat as read-only). */
  readonly state: EmulatorState;
  /** Runs scheduled work that is due (ack windows, renewals) now. */
  tick(): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? consoleLogger({ level: 'warn', fields: { component: 'marketplace-emulator' } });
  const baseClock = options.clock ?? systemClock;
  const clock = createEmulatorClock(baseClock);
  const catalog = catalogSchema.parse(options.catalog ?? DEFAULT_CATALOG);
  const initialConfig: EmulatorConfig = {
    webhookUrl: options.webhookUrl === undefined ? undefined : checkLoopbackUrl(options.webhookUrl),
    landingPageUrl: options.landingPageUrl === undefined ? undefined : checkHttpUrl(options.landingPageUrl, 'landingPageUrl'),
    ackWindowMs: options.ackWindowMs ?? 10_000,
    tokenVersion: options.tokenVersion ?? 'v2',
    pageSize: options.pageSize ?? 100,
    operationDelayMs: options.operationDelayMs ?? 1_000,
    subscribeWebhook: options.subscribeWebhook ?? false,
  };
  const state = createState(initialConfig);
  const tls = await ensureTlsMaterial(options.certDir);
  const timers = new Timers();
  const scheduler = new Scheduler(clock, logger);
  const faults = new FaultInjector(() => state.faultLog, () => clock.now().toISOString(), timers);
  const urls: EmulatorUrls = { http: '', api: '', authority: '' };
  const webhooks = new WebhookDispatcher({
    state,
    catalog,
    logger,
    faults,
    timers,
    policy: { ...DEFAULT_WEBHOOK_RETRY, ...options.webhookRetry },
    now: () => clock.now().toISOString(),
    tick: () => scheduler.runDue(),
    signToken: (version) => issueWebhookToken(ctx, version),
    reject: (operationId, status) => rejectFromWebhook(ctx, operationId, status),
  });
  const ctx: EmulatorContext = {
    state,
    catalog,
    clock,
    tokenClock: baseClock,
    scheduler,
    logger,
    identity: {
      tenantId: options.publisherTenantId ?? DEFAULT_PUBLISHER_TENANT_ID,
      appId: options.publisherAppId ?? DEFAULT_PUBLISHER_APP_ID,
      clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
      identityHeader: options.identityHeader ?? DEFAULT_IDENTITY_HEADER,
      marketplaceObjectId: randomUUID(),
    },
    keys: [createSigningKey()],
    urls,
    webhooks,
  };
  const reset = (): void => {
    scheduler.clear();
    timers.clear();
    webhooks.reset();
    faults.clear();
    clock.reset();
    Object.assign(state, createState(initialConfig));
  };
  const controlDeps: ControlDeps = { faults, webhooks, reset };

  const apiRouter = new Router();
  registerFulfillmentRoutes(apiRouter, ctx);
  registerOperationRoutes(apiRouter, ctx);
  registerMeteringRoutes(apiRouter, ctx);
  registerControlRoutes(apiRouter, ctx, controlDeps);
  registerUiRoutes(apiRouter, ctx, controlDeps);
  registerAuthorityRoutes(apiRouter, ctx);
  const authorityRouter = new Router();
  registerAuthorityRoutes(authorityRouter, ctx);

  const pipeline = { logger, state, faults, beforeEach: () => scheduler.runDue(), now: () => clock.now().toISOString() };
  const httpServer = createHttpServer(createRequestListener({ ...pipeline, router: apiRouter, baseUrl: () => urls.http }));
  const httpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, createRequestListener({ ...pipeline, router: authorityRouter, baseUrl: () => urls.authority }));
  try {
    urls.http = `http://127.0.0.1:${await listen(httpServer, options.port ?? 7072)}`;
    urls.api = `${urls.http}/api`;
    urls.authority = `https://127.0.0.1:${await listen(httpsServer, options.authorityPort ?? 0)}`;
  } catch (error) {
    await Promise.all([close(httpServer), close(httpsServer)]);
    await tls.dispose();
    throw error;
  }
  const tenantId = ctx.identity.tenantId;
  logger.info('emulator listening', { url: urls.http, authorityUrl: urls.authority });

  let stopped = false;
  return {
    url: urls.http,
    apiBaseUrl: urls.api,
    authorityUrl: urls.authority,
    caCertPath: tls.caCertPath,
    jwksUrl: `${urls.http}/${tenantId}/discovery/v2.0/keys`,
    identityEndpoint: `${urls.http}/msi/token`,
    publisherTenantId: tenantId,
    publisherAppId: ctx.identity.appId,
    catalog,
    state,
    tick: () => scheduler.runDue(),
    reset,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      scheduler.stop();
      webhooks.stop();
      timers.clear();
      await Promise.all([close(httpServer), close(httpsServer)]);
      await tls.dispose();
    },
  };
}
