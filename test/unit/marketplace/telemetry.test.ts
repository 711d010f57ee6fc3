import { createInMemoryTelemetry, type InMemoryTelemetry } from '../../../dev/inMemoryTelemetry';
import { routeTemplate } from '../../../shared/marketplace/urls';
import { buildOperationBody, OPERATION_ID, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { counterValue } from '../../support/telemetry';

describe('marketplace client: telemetry', () => {
  let rig: MarketplaceTestRig | undefined;
  let memory: InMemoryTelemetry;

  beforeEach(() => {
    memory = createInMemoryTelemetry();
  });

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    await memory.telemetry.shutdown();
  });

  it('records one client span per attempt with the route template, status, attempt and Microsoft ids, and one call metric', async () => {
    // Prepare
    rig = await createMarketplaceTestRig({ telemetry: memory.telemetry });
    rig.server.reply(
      { status: 503, headers: { 'x-ms-requestid': 'ms-req-1' } },
      { status: 200, headers: { 'x-ms-requestid': 'ms-req-2', 'x-ms-correlationid': 'ms-corr' }, body: buildOperationBody() },
    );

    // Act
    await rig.client.getOperation(SUBSCRIPTION_ID, OPERATION_ID);

    // Assess
    const { spans, metrics } = await memory.collect();
    const route = '/saas/subscriptions/{subscriptionId}/operations/{operationId}';
    expect(spans.map((span) => [span.name, span.attributes['marketplace.attempt'], span.attributes['http.response.status_code'], span.attributes['marketplace.request_id']])).toEqual([
      [`GET ${route}`, 1, 503, 'ms-req-1'],
      [`GET ${route}`, 2, 200, 'ms-req-2'],
    ]);
    expect(spans[0]?.status.code).toBe(2);
    expect(spans[1]?.attributes).toMatchObject({ 'url.template': route, 'marketplace.operation': 'getOperation', 'marketplace.correlation_id': 'ms-corr', 'http.request.method': 'GET' });
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(SUBSCRIPTION_ID);
    expect(counterValue(metrics, 'marketplace.calls', { method: 'GET', route, status: '200', retried: true })).toBe(1);
    expect(counterValue(metrics, 'marketplace.calls')).toBe(1);
  });

  it('counts a call that finally fails with its last status', async () => {
    // Prepare
    rig = await createMarketplaceTestRig({ telemetry: memory.telemetry });
    rig.server.reply({ status: 404, body: { error: { code: 'EntityNotFound', message: 'not found' } } });

    // Act
    await rig.client.getSubscription(SUBSCRIPTION_ID).catch(() => undefined);

    // Assess
    const { metrics } = await memory.collect();
    expect(counterValue(metrics, 'marketplace.calls', { route: '/saas/subscriptions/{subscriptionId}', status: '404', retried: false })).toBe(1);
  });
});

describe('routeTemplate', () => {
  it.each([
    ['https://marketplaceapi.microsoft.com/api/saas/subscriptions/resolve?api-version=2018-08-31', '/saas/subscriptions/resolve'],
    ['https://marketplaceapi.microsoft.com/api/saas/subscriptions/abc/activate?api-version=2018-08-31', '/saas/subscriptions/{subscriptionId}/activate'],
    ['https://marketplaceapi.microsoft.com/api/saas/subscriptions/abc/listAvailablePlans?planId=x', '/saas/subscriptions/{subscriptionId}/listAvailablePlans'],
    ['https://marketplaceapi.microsoft.com/api/saas/subscriptions/abc/operations', '/saas/subscriptions/{subscriptionId}/operations'],
    ['https://marketplaceapi.microsoft.com/api/saas/subscriptions?api-version=2018-08-31', '/saas/subscriptions'],
    ['https://marketplaceapi.microsoft.com/api/batchUsageEvent?api-version=2018-08-31', '/batchUsageEvent'],
  ])('%s → %s', (url, expected) => {
    expect(routeTemplate(new URL(url))).toBe(expected);
  });
});
