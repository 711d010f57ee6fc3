import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext, type HttpResponseInit } from '@azure/functions';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHealthReadyHandler } from '../../../functions/healthReady';
import { systemClock } from '../../../shared/clock';
import { loadConfig, type Env } from '../../../shared/config';
import { buildDependencies } from '../../../shared/dependencies';
import { ConfigurationError } from '../../../shared/errors';
import { createLogger, type LogFields } from '../../../shared/logging';
import { configurationCheck, readinessChecksFrom, type ReadinessReport } from '../../../shared/readiness';
import { createFakeCredential } from '../../fakes/fakeCredential';
import { startFakeMarketplaceServer, type FakeMarketplaceServer } from '../../fakes/fakeMarketplaceServer';
import { useAzurite } from '../../support/useAzurite';

// Readiness over the real adapters: Azurite, a marketplace stand-in and a key set, all on loopback.
const azurite = useAzurite();
let marketplace: FakeMarketplaceServer;
let jwks: Server;
let jwksUrl: string;
/** A loopback port with nothing listening (a server opened and closed again). */
let closedPort: number;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  marketplace = await startFakeMarketplaceServer();
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] })));
  jwksUrl = `http://127.0.0.1:${await listen(jwks)}/discovery/v2.0/keys`;
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await marketplace.close();
  await new Promise((resolve) => jwks.close(resolve));
});

function env(overrides: Env = {}): Env {
  return {
    AzureWebJobsStorage: azurite().connectionString,
    STORAGE_TABLE_PREFIX: 'ready',
    MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
    MARKETPLACE_CLIENT_SECRET: 'unused-with-an-injected-credential',
    MARKETPLACE_API_BASE_URL: marketplace.baseUrl,
    WEBHOOK_JWKS_URL: jwksUrl,
    ...overrides,
  };
}

/** Entra's answer to a wrong client secret, as ClientSecretCredential surfaces it. */
const refusingCredential: TokenCredential = {
  getToken: (): Promise<AccessToken> =>
    Promise.reject(Object.assign(new Error('ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided.'), { name: 'AuthenticationError' })),
};

async function ready(settings: Env, credential: TokenCredential = createFakeCredential()): Promise<{ response: HttpResponseInit; report: ReadinessReport; warnings: LogFields[] }> {
  const app = buildDependencies(loadConfig(settings), { marketplaceCredential: credential });
  const warnings: LogFields[] = [];
  const logger = createLogger((level, _message, fields) => (level === 'warn' ? warnings.push(fields) : undefined));
  const handler = createHealthReadyHandler(() => ({ checks: readinessChecksFrom(app, (url, init) => fetch(url, init)), clock: systemClock, logger: () => logger }));
  const response = await handler({}, new InvocationContext({ functionName: 'healthReady' }));
  return { response, report: response.jsonBody as ReadinessReport, warnings };
}

const statuses = (report: ReadinessReport): Record<string, string> => Object.fromEntries(report.checks.map((c) => [c.name, c.status]));

describe('GET /api/health/ready over the real adapters', () => {
  it('answers 200 when storage, the marketplace and the key set answer', async () => {
    // Prepare
    marketplace.reply({ status: 404, body: { error: { code: 'EntityNotFound', message: 'Subscription not found' } } });

    // Act
    const { response, report, warnings } = await ready(env());

    // Assess
    expect(response.status).toBe(200);
    expect(report.failing).toEqual([]);
    expect(statuses(report)).toEqual({
      tables: 'pass',
      queues: 'pass',
      poisonQueues: 'pass',
      marketplaceToken: 'pass',
      marketplaceApi: 'pass',
      webhookSigningKeys: 'pass',
      isvWebhook: 'skip',
      isvDecision: 'skip',
      reconciliationRun: 'warn',
      usageEmissionRun: 'warn',
    });
    expect(report.checks.every((c) => c.durationMs >= 0 && c.reason.length > 0)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('answers 503 naming tables and queues when storage is down, and says which setting to check', async () => {
    // Prepare
    marketplace.reply({ status: 404, body: {} });
    const down = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k'.repeat(64)).toString('base64')};TableEndpoint=http://127.0.0.1:${closedPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${closedPort}/devstoreaccount1`;

    // Act
    const { response, report, warnings } = await ready(env({ AzureWebJobsStorage: down }));

    // Assess
    expect(response.status).toBe(503);
    expect(report.failing).toEqual(expect.arrayContaining(['tables', 'queues', 'poisonQueues']));
    expect(report.failing).not.toContain('marketplaceApi');
    const tables = report.checks.find((c) => c.name === 'tables');
    expect(tables?.reason).toContain(`http://127.0.0.1:${closedPort}/devstoreaccount1`);
    expect(tables?.reason).toContain('AzureWebJobsStorage');
    expect(JSON.stringify(report)).not.toContain(Buffer.from('k'.repeat(64)).toString('base64'));
    expect(warnings.map((w) => w.check)).toEqual(expect.arrayContaining(['tables', 'queues']));
  });

  it('answers 503 naming marketplaceToken when Entra refuses the token', async () => {
    // Act
    const { response, report } = await ready(env(), refusingCredential);

    // Assess
    expect(response.status).toBe(503);
    expect(report.failing).toEqual(['marketplaceToken', 'marketplaceApi']);
    const token = report.checks.find((c) => c.name === 'marketplaceToken');
    expect(token?.reason).toContain('AADSTS7000215');
    expect(token?.reason).toContain('MARKETPLACE_CLIENT_SECRET');
  });

  it('answers 503 naming webhookSigningKeys when the key set cannot be fetched', async () => {
    // Prepare
    marketplace.reply({ status: 404, body: {} });
    const unreachable = `http://127.0.0.1:${closedPort}/discovery/v2.0/keys`;

    // Act
    const { response, report } = await ready(env({ WEBHOOK_JWKS_URL: unreachable }));

    // Assess
    expect(response.status).toBe(503);
    expect(report.failing).toEqual(['webhookSigningKeys']);
    expect(report.checks.find((c) => c.name === 'webhookSigningKeys')?.reason).toContain(unreachable);
  });

  it('answers 503 naming configuration, and the bad settings by name only, when the settings are invalid', async () => {
    // Prepare
    let error: unknown;
    try {
      loadConfig(env({ MARKETPLACE_TENANT_ID: 'not-a-guid', MARKETPLACE_CLIENT_SECRET: '' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const handler = createHealthReadyHandler(() => ({ checks: [configurationCheck(error as ConfigurationError)], clock: systemClock, logger: () => createLogger(() => undefined) }));

    // Act
    const response = await handler({}, new InvocationContext({ functionName: 'healthReady' }));

    // Assess
    const report = response.jsonBody as ReadinessReport;
    expect(response.status).toBe(503);
    expect(report.failing).toEqual(['configuration']);
    expect(report.checks[0]?.reason).toContain('MARKETPLACE_TENANT_ID must be a GUID');
    expect(report.checks[0]?.reason).toContain('MARKETPLACE_CLIENT_SECRET is required');
    expect(report.checks[0]?.reason).not.toContain('not-a-guid');
  });
});
