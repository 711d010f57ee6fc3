import { CSP_PARTNER_TENANT_ID, PRIVATE_AUDIENCE_TENANT_ID } from '../../dev/emulator';
import { api, control, getJson, type OperationJson, type SubscriptionJson, purchase, startEmulator, startWebhookReceiver, subscribed, type TestEmulator, type WebhookReceiver } from './helpers';

describe('emulator control API and page', () => {
  let env: TestEmulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await startEmulator({ landingPageUrl: 'http://localhost:7071/api/landing' });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await env.emulator.stop();
    await receiver.stop();
  });

  beforeEach(() => {
    env.emulator.reset();
    receiver.received.length = 0;
  });

  describe('purchases', () => {
    it('returns the subscription id, the token and a landing URL carrying the token encoded once', async () => {
      // Act
      const bought = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Assess
      expect(bought.landingUrl).toBe(`http://localhost:7071/api/landing?token=${encodeURIComponent(bought.token)}`);
      expect(new URL(bought.landingUrl ?? '').searchParams.get('token')).toBe(bought.token);
    });

    it('issues a fresh token for the "manage account" visit that resolves to the same subscription', async () => {
      // Prepare
      const { subscriptionId, token: first } = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      const fresh = await control<{ token: string }>(env, `/purchases/${subscriptionId}/token`, 'POST');
      const resolved = await api(env, '/saas/subscriptions/resolve', { method: 'POST', headers: { 'x-ms-marketplace-token': fresh.body.token } });

      // Assess
      expect(fresh.status).toBe(201);
      expect(fresh.body.token).not.toBe(first);
      expect(await resolved.json()).toMatchObject({ id: subscriptionId });
    });

    it('makes a CSP purchase with a different purchaser and Read only, and a sandbox purchase with sandboxType Csp', async () => {
      // Act
      const csp = await purchase(env, { offerId: 'contoso-analytics', planId: 'starter', csp: true, sandbox: true });
      const subscription = await getJson<SubscriptionJson>(env, `/saas/subscriptions/${csp.subscriptionId}`);

      // Assess
      expect(subscription.purchaser.tenantId).toBe(CSP_PARTNER_TENANT_ID);
      expect(subscription.beneficiary.tenantId).not.toBe(CSP_PARTNER_TENANT_ID);
      expect(subscription.allowedCustomerOperations).toEqual(['Read']);
      expect(subscription.sandboxType).toBe('Csp');
    });

    it('marks a trial plan purchase as a free trial that ends at the first renewal', async () => {
      // Prepare
      const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'trial' });
      const before = await getJson<SubscriptionJson>(env, `/saas/subscriptions/${id}`);

      // Act
      await control(env, '/clock', 'POST', { advanceMs: 31 * 86_400_000 });

      // Assess
      expect(before.isFreeTrial).toBe(true);
      expect(await getJson(env, `/saas/subscriptions/${id}`)).toMatchObject({ isFreeTrial: false });
    });

    it.each([
      ['an unknown offer', { offerId: 'nope', planId: 'starter' }],
      ['a stop-sell plan', { offerId: 'contoso-analytics', planId: 'legacy' }],
      ['a private plan for a tenant outside its audience', { offerId: 'contoso-analytics', planId: 'gold-private' }],
      ['seats outside the plan limits', { offerId: 'contoso-seats', planId: 'business', quantity: 5 }],
      ['a quantity on a flat-rate plan', { offerId: 'contoso-analytics', planId: 'starter', quantity: 2 }],
      ['a term the plan does not sell', { offerId: 'contoso-analytics', planId: 'starter', termUnit: 'P3Y' }],
      ['a free trial on a plan without one', { offerId: 'contoso-analytics', planId: 'starter', isFreeTrial: true }],
    ])('refuses %s with 400', async (_label, input) => {
      // Act
      const response = await control(env, '/purchases', 'POST', input);

      // Assess
      expect(response.status).toBe(400);
    });

    it('sells the private plan and the multi-year term to the audience tenant', async () => {
      // Act
      const gold = await purchase(env, { offerId: 'contoso-analytics', planId: 'gold-private', beneficiaryTenantId: PRIVATE_AUDIENCE_TENANT_ID });
      const threeYears = await subscribed(env, { offerId: 'contoso-analytics', planId: 'enterprise-3y' });

      // Assess
      expect(gold.subscriptionId).toEqual(expect.any(String));
      expect(await getJson(env, `/saas/subscriptions/${threeYears}`)).toMatchObject({ term: { termUnit: 'P3Y', endDate: '2028-03-09T00:00:00Z' } });
    });
  });

  describe('inspection, configuration and reset', () => {
    it('shows a subscription with its operations and webhook deliveries', async () => {
      // Prepare
      await control(env, '/config', 'PUT', { webhookUrl: receiver.url });
      const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
      await control(env, `/subscriptions/${id}/actions`, 'POST', { action: 'Suspend' });
      await receiver.waitFor(1);

      // Act
      const detail = await control<{ subscription: SubscriptionJson; operations: OperationJson[]; deliveries: unknown[] }>(env, `/subscriptions/${id}`);
      const list = await control<{ subscriptions: SubscriptionJson[] }>(env, '/subscriptions');

      // Assess
      expect(detail.body.subscription).toMatchObject({ id, saasSubscriptionStatus: 'Suspended' });
      expect(detail.body.operations).toEqual([expect.objectContaining({ action: 'Suspend', status: 'Succeeded' })]);
      expect(detail.body.deliveries).toEqual([expect.objectContaining({ action: 'Suspend', url: receiver.url })]);
      expect(list.body.subscriptions).toHaveLength(1);
    });

    it('validates config updates and applies them', async () => {
      // Act
      const invalid = await control(env, '/config', 'PUT', { ackWindowMs: -1 });
      const unknownKey = await control(env, '/config', 'PUT', { colour: 'blue' });
      const applied = await control(env, '/config', 'PUT', { ackWindowMs: 500, tokenVersion: 'v1', pageSize: 3 });

      // Assess
      expect(invalid.status).toBe(400);
      expect(unknownKey.status).toBe(400);
      expect(applied.body).toMatchObject({ ackWindowMs: 500, tokenVersion: 'v1', pageSize: 3 });
    });

    it('forgets subscriptions, config changes and the clock offset on reset', async () => {
      // Prepare
      await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' });
      await control(env, '/config', 'PUT', { ackWindowMs: 1 });
      await control(env, '/clock', 'POST', { advanceMs: 5_000 });

      // Act
      const reset = await control(env, '/reset', 'POST');

      // Assess
      expect(reset.status).toBe(200);
      expect((await control<{ subscriptions: SubscriptionJson[] }>(env, '/subscriptions')).body.subscriptions).toEqual([]);
      expect((await control<{ ackWindowMs: number }>(env, '/config')).body.ackWindowMs).toBe(10_000);
      expect((await control(env, '/clock')).body).toEqual({ now: '2025-03-10T12:00:00.000Z', offsetMs: 0 });
    });

    it('answers 404 for an unknown path and remembers it for diagnosis', async () => {
      // Act
      const response = await fetch(`${env.emulator.url}/common/userrealm/someone`);

      // Assess
      expect(response.status).toBe(404);
      expect(env.emulator.state.unknownRequests).toEqual([expect.objectContaining({ method: 'GET', path: '/common/userrealm/someone' })]);
    });
  });

  describe('HTML page', () => {
    it('lists subscriptions with their status and offers purchase and action forms', async () => {
      // Prepare
      await purchase(env, { offerId: 'contoso-seats', planId: 'team', quantity: 4, name: 'Fabrikam <seats>' });

      // Act
      const response = await fetch(`${env.emulator.url}/`);
      const html = await response.text();

      // Assess
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('Fabrikam &lt;seats&gt;');
      expect(html).toContain('PendingFulfillmentStart');
      expect(html).toContain('action="/control/ui/purchases"');
      expect(html).toMatch(/<button name="action" value="Unsubscribe">Unsubscribe<\/button>/);
      expect(html).not.toMatch(/value="Suspend"/);
      expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1|localhost)[^"]*\.(js|css)/);
    });

    it('offers on each row exactly the actions its status allows, each of which the control API then accepts', async () => {
      // Prepare: one subscription in each status
      const pending = (await purchase(env, { offerId: 'contoso-seats', planId: 'team', quantity: 4 })).subscriptionId;
      const active = await subscribed(env, { offerId: 'contoso-seats', planId: 'team', quantity: 12 });
      const suspended = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
      const cancelled = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
      await control(env, `/subscriptions/${suspended}/actions`, 'POST', { action: 'Suspend' });
      await control(env, `/subscriptions/${cancelled}/actions`, 'POST', { action: 'Unsubscribe' });
      const fourSeats = await subscribed(env, { offerId: 'contoso-seats', planId: 'team', quantity: 4 });
      const html = await (await fetch(`${env.emulator.url}/`)).text();
      const offeredIn = (id: string): string[] => {
        const row = html.split('<tr>').find((candidate) => candidate.includes(`<code>${id}</code>`)) ?? '';
        return [...row.matchAll(/<button name="action" value="([A-Za-z]+)">/g)].map((match) => match[1] ?? '');
      };
      const all = ['ChangePlan', 'ChangeQuantity', 'Suspend', 'Reinstate', 'Renew', 'Unsubscribe'];
      const extra = (action: string) => (action === 'ChangePlan' ? { planId: 'business' } : action === 'ChangeQuantity' ? { quantity: 5 } : {});

      // Act
      const offered = { pending: offeredIn(pending), active: offeredIn(active), suspended: offeredIn(suspended), cancelled: offeredIn(cancelled), fourSeats: offeredIn(fourSeats) };
      const refusedStatuses: Record<string, number[]> = {};
      for (const [name, id] of Object.entries({ pending, suspended, cancelled, fourSeats })) {
        const notOffered = all.filter((action) => !offered[name as keyof typeof offered].includes(action));
        refusedStatuses[name] = await Promise.all(notOffered.map(async (action) => (await control(env, `/subscriptions/${id}/actions`, 'POST', { action, ...extra(action) })).status));
      }
      const acceptedStatuses = [];
      for (const action of offered.active.filter((a) => a !== 'Unsubscribe' && a !== 'Suspend')) {
        env.emulator.reset();
        const fresh = await subscribed(env, { offerId: 'contoso-seats', planId: 'team', quantity: 12 });
        acceptedStatuses.push((await control(env, `/subscriptions/${fresh}/actions`, 'POST', { action, ...extra(action) })).status);
      }

      // Assess
      expect(offered).toEqual({
        pending: ['Unsubscribe'],
        active: ['ChangePlan', 'ChangeQuantity', 'Suspend', 'Renew', 'Unsubscribe'],
        suspended: ['Reinstate', 'Unsubscribe'],
        cancelled: [],
        fourSeats: ['ChangeQuantity', 'Suspend', 'Renew', 'Unsubscribe'],
      });
      expect(Object.values(refusedStatuses).flat().every((status) => status >= 400)).toBe(true);
      expect(acceptedStatuses).toEqual([200, 200, 200]);
      expect(html).toContain(`<code>${cancelled}</code>`);
    });

    it('gives every button an accessible name equal to its visible text', async () => {
      // Prepare
      await subscribed(env, { offerId: 'contoso-seats', planId: 'team', quantity: 4 });

      // Act
      const html = await (await fetch(`${env.emulator.url}/`)).text();
      const buttons = [...html.matchAll(/<button([^>]*)>([^<]*)<\/button>/g)];

      // Assess
      expect(buttons.length).toBeGreaterThan(5);
      for (const [, attributes = '', text = ''] of buttons) {
        expect(attributes).not.toMatch(/aria-label/);
        expect(text.trim()).not.toBe('');
      }
      expect(html).toMatch(/<th scope="row">/);
    });

    it('answers /favicon.ico with 204 and does not count it as an unknown path', async () => {
      // Act
      const response = await fetch(`${env.emulator.url}/favicon.ico`);

      // Assess
      expect(response.status).toBe(204);
      expect(env.emulator.state.unknownRequests).toEqual([]);
    });

    it('buys through a form post and redirects back with the landing link', async () => {
      // Act
      const response = await fetch(`${env.emulator.url}/control/ui/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ offerPlan: 'contoso-seats/team', quantity: '3' }),
        redirect: 'manual',
      });
      const location = new URL(response.headers.get('location') ?? '', env.emulator.url);

      // Assess
      expect(response.status).toBe(303);
      expect(location.pathname).toBe('/');
      expect(location.searchParams.get('landing')).toMatch(/^http:\/\/localhost:7071\/api\/landing\?token=/);
      expect([...env.emulator.state.subscriptions.values()]).toEqual([expect.objectContaining({ planId: 'team', quantity: 3 })]);
    });

    it('fires an action through a form post and reports a refused one as an error notice', async () => {
      // Prepare
      const id = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
      const post = (action: string) =>
        fetch(`${env.emulator.url}/control/ui/subscriptions/${id}/actions`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ action }),
          redirect: 'manual',
        });

      // Act
      const suspended = await post('Suspend');
      const refused = await post('Renew');

      // Assess
      expect(new URL(suspended.headers.get('location') ?? '', env.emulator.url).searchParams.get('notice')).toMatch(/^Suspend fired/);
      expect(new URL(refused.headers.get('location') ?? '', env.emulator.url).searchParams.get('error')).toMatch(/Subscribed/);
      expect(env.emulator.state.subscriptions.get(id)?.status).toBe('Suspended');
    });
  });
});
