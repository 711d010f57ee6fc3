import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { APP_ID, RESOURCE_ID, START, TENANT_ID, control, eventually, getJson, subscribed, type SubscriptionJson, useEmulatorWithReceiver } from './helpers';

const DAY_MS = 86_400_000;

describe('emulator webhook delivery', () => {
  const rig = useEmulatorWithReceiver();

  const bearer = (index = 0): string => String(rig.receiver.received[index]?.headers.authorization).replace(/^Bearer /, '');
  const fire = (id: string, body: Record<string, unknown>) => control(rig.env, `/subscriptions/${id}/actions`, 'POST', body);

  describe('bearer JWT', () => {
    it.each([
      ['v2', `https://login.microsoftonline.com/${TENANT_ID}/v2.0`, { azp: RESOURCE_ID, ver: '2.0' }],
      ['v1', `https://sts.windows.net/${TENANT_ID}/`, { appid: RESOURCE_ID, ver: '1.0' }],
    ])('signs a %s token that verifies with jose against the JWKS, with the Entra claims', async (version, issuer, claims) => {
      // Prepare
      await control(rig.env, '/config', 'PUT', { tokenVersion: version });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });
      await fire(id, { action: 'Suspend' });
      await rig.receiver.waitFor(1);
      const jwks = createRemoteJWKSet(new URL(rig.env.emulator.jwksUrl));

      // Act
      const { payload, protectedHeader } = await jwtVerify(bearer(), jwks, { issuer, audience: APP_ID, algorithms: ['RS256'], currentDate: new Date(START) });

      // Assess
      expect(protectedHeader.kid).toEqual(expect.any(String));
      expect(payload).toMatchObject({ tid: TENANT_ID, ...claims });
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(payload.nbf).toBe(payload.iat);
      expect(payload).toEqual(expect.objectContaining({ oid: expect.any(String), sub: expect.any(String), uti: expect.any(String) }));
      expect(version === 'v2' ? payload.appid : payload.azp).toBeUndefined();
    });

    it('publishes the same keys through openid-configuration on both tenant metadata paths', async () => {
      // Act
      const v2 = (await (await fetch(`${rig.env.emulator.url}/${TENANT_ID}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
      const v1 = (await (await fetch(`${rig.env.emulator.url}/${TENANT_ID}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
      const keysV2 = await (await fetch(v2.jwks_uri)).json();
      const keysV1 = await (await fetch(v1.jwks_uri)).json();

      // Assess
      expect(v2.issuer).toBe(`https://login.microsoftonline.com/${TENANT_ID}/v2.0`);
      expect(v1.issuer).toBe(`https://sts.windows.net/${TENANT_ID}/`);
      expect(keysV1).toEqual(keysV2);
      expect(keysV2.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    });

    it.each([
      ['a tampered payload', (token: string) => {
        const [header, , signature] = token.split('.');
        const claims = { ...decodeJwt(token), tid: '99999999-9999-4999-8999-999999999999' };
        return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
      }],
      ['a tampered signature', (token: string) => `${token.slice(0, -6)}${token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`],
    ])('does not verify with %s', async (_label, tamper) => {
      // Prepare
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });
      await fire(id, { action: 'Suspend' });
      await rig.receiver.waitFor(1);
      const jwks = createRemoteJWKSet(new URL(rig.env.emulator.jwksUrl));

      // Act
      const verification = jwtVerify(tamper(bearer()), jwks, { audience: APP_ID, algorithms: ['RS256'], currentDate: new Date(START) });

      // Assess
      await expect(verification).rejects.toThrow(/signature/);
    });
  });

  describe('retries', () => {
    it('retries a failing delivery with the same payload until it succeeds', async () => {
      // Prepare
      rig.receiver.respond = (index) => (index < 2 ? 503 : 200);
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, { action: 'Suspend' });
      const calls = await rig.receiver.waitFor(3);
      const delivery = await eventually(() => rig.env.emulator.state.deliveries.find((d) => d.status === 'delivered'), 'delivery');

      // Assess
      expect(new Set(calls.map((call) => call.body.id)).size).toBe(1);
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
    });

    it('retries when the endpoint is unreachable and gives up after maxAttempts', async () => {
      // Prepare
      await control(rig.env, '/config', 'PUT', { webhookUrl: 'http://127.0.0.1:9/closed' });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, { action: 'Suspend' });
      const delivery = await eventually(() => rig.env.emulator.state.deliveries.find((d) => d.status === 'failed'), 'a failed delivery');

      // Assess
      expect(delivery.attempts).toHaveLength(4);
      expect(delivery.attempts.every((attempt) => attempt.status === undefined && attempt.error !== undefined)).toBe(true);
    });

    it('records a skipped delivery when no webhook URL is configured, and refuses non-loopback URLs', async () => {
      // Prepare
      await control(rig.env, '/config', 'PUT', { webhookUrl: null });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, { action: 'Suspend' });
      const refused = await control(rig.env, '/config', 'PUT', { webhookUrl: 'https://example.com/webhook' });

      // Assess
      expect(rig.env.emulator.state.deliveries.map((d) => d.status)).toEqual(['skipped']);
      expect(refused.status).toBe(400);
    });
  });

  describe('lifecycle events fired through the control API', () => {
    it('suspends, then reinstates once the publisher acknowledges', async () => {
      // Prepare
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, { action: 'Suspend' });
      const reinstate = await control<{ id: string }>(rig.env, `/subscriptions/${id}/actions`, 'POST', { action: 'Reinstate' });
      const [suspendCall, reinstateCall] = await rig.receiver.waitFor(2);
      const whileInProgress = await getJson<SubscriptionJson>(rig.env, `/saas/subscriptions/${id}`);
      await fetch(`${rig.env.emulator.apiBaseUrl}/saas/subscriptions/${id}/operations/${reinstate.body.id}?api-version=2018-08-31`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${rig.env.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'Success' }),
      });

      // Assess
      expect(suspendCall?.body).toMatchObject({ action: 'Suspend', status: 'Succeeded', subscription: { saasSubscriptionStatus: 'Suspended' } });
      expect(reinstateCall?.body).toMatchObject({ action: 'Reinstate', status: 'InProgress', subscription: { saasSubscriptionStatus: 'Suspended' } });
      expect(whileInProgress.saasSubscriptionStatus).toBe('Suspended');
      expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ saasSubscriptionStatus: 'Subscribed' });
    });

    it('renews at the end of the term, moving the term dates, and cancels after 30 days suspended', async () => {
      // Prepare
      const renewing = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });
      const suspended = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'professional', termUnit: 'P1Y' });
      await fire(suspended, { action: 'Suspend' });

      // Act
      await control(rig.env, '/clock', 'POST', { advanceMs: 31 * DAY_MS });
      await rig.receiver.waitFor(3);

      // Assess
      expect(await getJson(rig.env, `/saas/subscriptions/${renewing}`)).toMatchObject({ term: { startDate: '2025-04-10T00:00:00Z', endDate: '2025-05-09T00:00:00Z' } });
      expect(await getJson(rig.env, `/saas/subscriptions/${suspended}`)).toMatchObject({ saasSubscriptionStatus: 'Unsubscribed' });
      expect(rig.receiver.received.map((call) => `${call.body.action}:${call.body.status}`).sort()).toEqual(['Renew:Succeeded', 'Suspend:Succeeded', 'Unsubscribe:Succeeded']);
    });

    it('sends the notify-only Subscribe webhook on activation when enabled', async () => {
      // Prepare
      await control(rig.env, '/config', 'PUT', { subscribeWebhook: true });

      // Act
      const id = await subscribed(rig.env, { offerId: 'contoso-seats', planId: 'team', quantity: 2 });
      const [call] = await rig.receiver.waitFor(1);

      // Assess
      expect(call?.body).toMatchObject({ action: 'Subscribe', status: 'Succeeded', subscriptionId: id, quantity: 2, subscription: { saasSubscriptionStatus: 'Subscribed' } });
    });

    it('cancels instead of renewing when autoRenew is off, and refuses actions that do not fit the status', async () => {
      // Prepare
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter', autoRenew: false });

      // Act
      const renew = await fire(id, { action: 'Renew' });
      const reinstate = await control<{ id: string }>(rig.env, `/subscriptions/${id}/actions`, 'POST', { action: 'Reinstate' });
      await control(rig.env, '/clock', 'POST', { advanceMs: 31 * DAY_MS });
      const [call] = await rig.receiver.waitFor(1);

      // Assess
      expect(renew.status).toBe(400);
      expect(reinstate.status).toBe(400);
      expect(call?.body).toMatchObject({ action: 'Unsubscribe', operationRequestSource: 'Azure' });
    });
  });
});
