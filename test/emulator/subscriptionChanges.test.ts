import { api, purchase, startEmulator, subscribed, type TestEmulator } from './helpers';

describe('emulator PATCH and DELETE of subscriptions', () => {
  let env: TestEmulator;

  beforeAll(async () => {
    env = await startEmulator();
  });

  afterAll(async () => {
    await env.emulator.stop();
  });

  beforeEach(() => {
    env.emulator.reset();
  });

  it('accepts a plan change with 202, an absolute Operation-Location, Operation-Id and Retry-After: 10', async () => {
    // Prepare
    const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    const response = await api(env, `/saas/subscriptions/${id}`, { method: 'PATCH', body: { planId: 'professional' } });

    // Assess
    expect(response.status).toBe(202);
    const operationId = response.headers.get('operation-id');
    expect(operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('operation-location')).toBe(`${env.emulator.apiBaseUrl}/saas/subscriptions/${id}/operations/${operationId}?api-version=2018-08-31`);
    expect(response.headers.get('retry-after')).toBe('10');
    const operation = await (await fetch(response.headers.get('operation-location') ?? '', { headers: { authorization: `Bearer ${env.token}` } })).json();
    expect(operation).toMatchObject({ id: operationId, activityId: operationId, action: 'ChangePlan', planId: 'professional', operationRequestSource: 'Partner', status: 'NotStarted' });
  });

  it.each([
    ['both plan and quantity', { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, { planId: 'business', quantity: 20 }],
    ['neither plan nor quantity', { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, {}],
    ['the same plan', { offerId: 'contoso-analytics', planId: 'starter' }, { planId: 'starter' }],
    ['an unavailable private plan', { offerId: 'contoso-analytics', planId: 'starter' }, { planId: 'gold-private' }],
    ['a plan of another offer', { offerId: 'contoso-analytics', planId: 'starter' }, { planId: 'team' }],
    ['a quantity above the maximum', { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, { quantity: 51 }],
    ['a quantity below the minimum', { offerId: 'contoso-seats', planId: 'business', quantity: 10 }, { quantity: 9 }],
    ['the same quantity', { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, { quantity: 5 }],
    ['a quantity on a flat-rate plan', { offerId: 'contoso-analytics', planId: 'starter' }, { quantity: 3 }],
    ['a CSP subscription without Update', { offerId: 'contoso-analytics', planId: 'starter', csp: true }, { planId: 'professional' }],
  ])('answers 400 for %s', async (_label, bought, patch) => {
    // Prepare
    const id = await subscribed(env, bought);

    // Act
    const response = await api(env, `/saas/subscriptions/${id}`, { method: 'PATCH', body: patch });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'BadRequest' }) });
  });

  it('answers 400 to PATCH unless Subscribed, and 404 for an unknown subscription', async () => {
    // Prepare
    const { subscriptionId: pending } = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    const notActive = await api(env, `/saas/subscriptions/${pending}`, { method: 'PATCH', body: { planId: 'professional' } });
    const unknown = await api(env, '/saas/subscriptions/00000000-0000-4000-8000-000000000000', { method: 'PATCH', body: { planId: 'professional' } });

    // Assess
    expect(notActive.status).toBe(400);
    expect(unknown.status).toBe(404);
  });

  it('accepts DELETE with 202 and refuses it with 400 when Delete is not allowed', async () => {
    // Prepare
    const own = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
    const csp = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter', csp: true });

    // Act
    const deleted = await api(env, `/saas/subscriptions/${own}`, { method: 'DELETE' });
    const refused = await api(env, `/saas/subscriptions/${csp}`, { method: 'DELETE' });

    // Assess
    expect(deleted.status).toBe(202);
    expect(deleted.headers.get('operation-location')).toContain(`/operations/${deleted.headers.get('operation-id') ?? 'x'}?api-version=2018-08-31`);
    expect(refused.status).toBe(400);
  });

  it('answers 404 for an unknown subscription on DELETE, listAvailablePlans and the operations list', async () => {
    // Prepare
    const unknown = '00000000-0000-4000-8000-000000000000';

    // Act
    const statuses = [
      (await api(env, `/saas/subscriptions/${unknown}`, { method: 'DELETE' })).status,
      (await api(env, `/saas/subscriptions/${unknown}/listAvailablePlans`)).status,
      (await api(env, `/saas/subscriptions/${unknown}/operations`)).status,
    ];

    // Assess
    expect(statuses).toEqual([404, 404, 404]);
  });
});
