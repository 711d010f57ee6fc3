import { PRIVATE_AUDIENCE_TENANT_ID } from '../../dev/emulator';
import { api, control, getJson, purchase, type PlanJson, type SubscriptionJson, startEmulator, subscribed, type TestEmulator } from './helpers';

describe('emulator fulfillment API', () => {
  let env: TestEmulator;

  beforeAll(async () => {
    env = await startEmulator({ pageSize: 2 });
  });

  afterAll(async () => {
    await env.emulator.stop();
  });

  beforeEach(() => {
    env.emulator.reset();
  });

  describe('guards', () => {
    it('answers 400 when api-version is missing or wrong', async () => {
      // Act
      const missing = await api(env, '/saas/subscriptions', { noApiVersion: true });
      const wrong = await fetch(`${env.emulator.apiBaseUrl}/saas/subscriptions?api-version=2017-04-15`, { headers: { authorization: `Bearer ${env.token}` } });

      // Assess
      expect(missing.status).toBe(400);
      expect(wrong.status).toBe(400);
    });

    it.each([
      ['no bearer token', null],
      ['a malformed token', 'not-a-jwt'],
      ['a token with a forged signature', 'forged'],
    ])('answers 403 with %s', async (_label, token) => {
      // Prepare
      const sent = token === 'forged' ? `${env.token.slice(0, env.token.lastIndexOf('.'))}.AAAA` : token;

      // Act
      const response = await api(env, '/saas/subscriptions', { token: sent });

      // Assess
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'Forbidden' }) });
    });

    it('echoes x-ms-requestid and x-ms-correlationid and adds x-ms-activityid', async () => {
      // Act
      const echoed = await api(env, '/saas/subscriptions', { headers: { 'x-ms-requestid': 'req-1', 'x-ms-correlationid': 'corr-1' } });
      const generated = await api(env, '/saas/subscriptions');

      // Assess
      expect(echoed.headers.get('x-ms-requestid')).toBe('req-1');
      expect(echoed.headers.get('x-ms-correlationid')).toBe('corr-1');
      expect(echoed.headers.get('x-ms-activityid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(generated.headers.get('x-ms-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(generated.headers.get('x-ms-correlationid')).toBe(generated.headers.get('x-ms-requestid'));
    });
  });

  describe('resolve', () => {
    it('resolves a purchase token that contains +, / and = to the pending subscription', async () => {
      // Prepare
      const { subscriptionId, token } = await purchase(env, { offerId: 'contoso-seats', planId: 'team', quantity: 5 });

      // Act
      const response = await api(env, '/saas/subscriptions/resolve', { method: 'POST', headers: { 'x-ms-marketplace-token': token } });

      // Assess
      expect(token).toMatch(/\+/);
      expect(token).toMatch(/\//);
      expect(token).toMatch(/=$/);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ id: subscriptionId, offerId: 'contoso-seats', planId: 'team', quantity: 5 });
      expect(body.subscription).toMatchObject({ saasSubscriptionStatus: 'PendingFulfillmentStart', term: { termUnit: 'P1M' } });
      expect(body.subscription.term.startDate).toBeUndefined();
    });

    it('answers 400 for a missing, unknown, space-mangled or expired token', async () => {
      // Prepare
      const { token } = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });
      const resolve = (value?: string) =>
        api(env, '/saas/subscriptions/resolve', { method: 'POST', headers: value === undefined ? {} : { 'x-ms-marketplace-token': value } });

      // Act
      const missing = await resolve();
      const unknown = await resolve('bm90LWEtdG9rZW4=');
      const mangled = await resolve(token.replace(/\+/g, ' '));
      await control(env, '/clock', 'POST', { advanceMs: 24 * 3_600_000 });
      const expired = await resolve(token);

      // Assess
      expect([missing.status, unknown.status, mangled.status, expired.status]).toEqual([400, 400, 400, 400]);
    });
  });

  describe('activate', () => {
    it('makes the subscription Subscribed with term dates and no quantity for a flat-rate plan', async () => {
      // Prepare
      const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'professional', termUnit: 'P1Y' });

      // Act
      const body = await getJson<SubscriptionJson>(env, `/saas/subscriptions/${id}`);

      // Assess
      expect(body.saasSubscriptionStatus).toBe('Subscribed');
      expect(body.term).toEqual({ termUnit: 'P1Y', startDate: '2025-03-10T00:00:00Z', endDate: '2026-03-09T00:00:00Z' });
      expect(body).not.toHaveProperty('quantity');
    });

    it.each([
      ['a missing planId', {}],
      ['another plan', { planId: 'starter' }],
      ['another quantity', { planId: 'team', quantity: 9 }],
    ])('answers 400 for %s', async (_label, body) => {
      // Prepare
      const { subscriptionId } = await purchase(env, { offerId: 'contoso-seats', planId: 'team', quantity: 3 });

      // Act
      const response = await api(env, `/saas/subscriptions/${subscriptionId}/activate`, { method: 'POST', body });

      // Assess
      expect(response.status).toBe(400);
    });

    it('answers 400 when already Subscribed and 404 when Unsubscribed', async () => {
      // Prepare
      const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
      const activate = () => api(env, `/saas/subscriptions/${id}/activate`, { method: 'POST', body: { planId: 'starter' } });

      // Act
      const again = await activate();
      await control(env, `/subscriptions/${id}/actions`, 'POST', { action: 'Unsubscribe' });
      const afterCancel = await activate();

      // Assess
      expect(again.status).toBe(400);
      expect(afterCancel.status).toBe(404);
    });
  });

  describe('list and get', () => {
    it('answers 200 with an empty body when there are no subscriptions', async () => {
      // Act
      const response = await api(env, '/saas/subscriptions');

      // Assess
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });

    it('pages with full @nextLink URLs carrying continuationToken, showing the lastModified sentinel', async () => {
      // Prepare
      const ids = [];
      for (let i = 0; i < 5; i += 1) ids.push((await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' })).subscriptionId);

      // Act
      const seen: string[] = [];
      const links: string[] = [];
      let next: string | undefined = `${env.emulator.apiBaseUrl}/saas/subscriptions/?api-version=2018-08-31`;
      while (next !== undefined) {
        const page = (await (await fetch(next, { headers: { authorization: `Bearer ${env.token}` } })).json()) as { subscriptions: SubscriptionJson[]; '@nextLink'?: string };
        seen.push(...page.subscriptions.map((sub) => sub.id));
        expect(page.subscriptions.every((sub) => sub.lastModified === '0001-01-01T00:00:00')).toBe(true);
        next = page['@nextLink'];
        if (next !== undefined) links.push(next);
      }

      // Assess
      expect(seen.sort()).toEqual(ids.sort());
      expect(links).toHaveLength(2);
      expect(links[0]).toMatch(new RegExp(`^${env.emulator.apiBaseUrl}/saas/subscriptions/\\?continuationToken=[^&]+&api-version=2018-08-31$`));
    });

    it('answers 400 for a forged continuationToken and 404 for an unknown subscription', async () => {
      // Act
      const badToken = await api(env, '/saas/subscriptions?continuationToken=%7Bnope');
      const missing = await api(env, '/saas/subscriptions/00000000-0000-4000-8000-000000000000');

      // Assess
      expect(badToken.status).toBe(400);
      expect(missing.status).toBe(404);
    });
  });

  describe('listAvailablePlans', () => {
    it('lists public plans (not stop-sell) and hides private plans from other tenants', async () => {
      // Prepare
      const { subscriptionId } = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      const body = await getJson<{ plans: PlanJson[] }>(env, `/saas/subscriptions/${subscriptionId}/listAvailablePlans`);

      // Assess
      const planIds = body.plans.map((plan) => plan.planId);
      expect(planIds).toEqual(expect.arrayContaining(['starter', 'professional', 'enterprise-3y', 'trial']));
      expect(planIds).not.toContain('gold-private');
      expect(planIds).not.toContain('legacy');
      const starter = body.plans.find((plan) => plan.planId === 'starter');
      expect(starter?.planComponents.recurrentBillingTerms[0]?.meteredQuantityIncluded?.[0]?.units).toEqual(expect.any(String));
      expect(starter?.planComponents.meteringDimensions.length).toBeGreaterThan(0);
    });

    it('includes the private plan for a tenant in its audience, and min/max seats for per-seat plans', async () => {
      // Prepare
      const privateSub = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter', beneficiaryTenantId: PRIVATE_AUDIENCE_TENANT_ID });
      const seatSub = await purchase(env, { offerId: 'contoso-seats', planId: 'team', quantity: 2 });

      // Act
      const privatePlans = await getJson<{ plans: PlanJson[] }>(env, `/saas/subscriptions/${privateSub.subscriptionId}/listAvailablePlans`);
      const seatPlans = await getJson<{ plans: PlanJson[] }>(env, `/saas/subscriptions/${seatSub.subscriptionId}/listAvailablePlans?planId=business`);

      // Assess
      expect(privatePlans.plans.find((plan) => plan.planId === 'gold-private')).toMatchObject({ isPrivate: true });
      expect(seatPlans.plans).toEqual([expect.objectContaining({ planId: 'business', isPricePerSeat: true, minQuantity: 10, maxQuantity: 500 })]);
    });
  });
});
