import { api, control, eventually, subscribed, useEmulatorWithReceiver } from './helpers';

describe('emulator fault injection', () => {
  const rig = useEmulatorWithReceiver();

  const addFault = async (rule: Record<string, unknown>): Promise<string> => {
    const created = await control<{ id: string }>(rig.env, '/faults', 'POST', rule);
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const fire = (id: string, action: string) => control(rig.env, `/subscriptions/${id}/actions`, 'POST', { action });

  describe('HTTP faults', () => {
    it('answers 429 with Retry-After for the number of matching requests, then serves normally', async () => {
      // Prepare
      await addFault({ kind: 'http', method: 'GET', path: '/api/saas/subscriptions*', status: 429, retryAfterSeconds: 7, times: 2 });

      // Act
      const first = await api(rig.env, '/saas/subscriptions');
      const second = await api(rig.env, '/saas/subscriptions');
      const third = await api(rig.env, '/saas/subscriptions');

      // Assess
      expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
      expect(first.headers.get('retry-after')).toBe('7');
      expect((await control<{ rules: unknown[] }>(rig.env, '/faults')).body.rules).toEqual([]);
    });

    it('answers 500 only for the matching method and path', async () => {
      // Prepare
      await addFault({ kind: 'http', method: 'POST', path: '/api/usageEvent', status: 500 });

      // Act
      const faulted = await api(rig.env, '/usageEvent', { method: 'POST', body: {} });
      const otherPath = await api(rig.env, '/saas/subscriptions');

      // Assess
      expect(faulted.status).toBe(500);
      expect(await faulted.json()).toEqual({ error: expect.objectContaining({ code: 'InternalServerError' }) });
      expect(otherPath.status).toBe(200);
    });

    it('adds latency and records it in the fault log', async () => {
      // Prepare
      await addFault({ kind: 'http', path: '/api/saas/subscriptions', latencyMs: 30, times: 1 });

      // Act
      const response = await api(rig.env, '/saas/subscriptions');

      // Assess
      expect(response.status).toBe(200);
      expect(rig.env.emulator.state.faultLog).toEqual([expect.objectContaining({ target: 'http', effect: 'latency', latencyMs: 30, method: 'GET', path: '/api/saas/subscriptions' })]);
    });

    it('never answers a hung request, while other requests are served', async () => {
      // Prepare
      await addFault({ kind: 'http', path: '/api/saas/subscriptions', hang: true, times: 1 });
      const abort = new AbortController();

      // Act
      const hung = fetch(`${rig.env.emulator.apiBaseUrl}/saas/subscriptions?api-version=2018-08-31`, { signal: abort.signal }).then(
        () => 'answered',
        () => 'aborted',
      );
      await eventually(() => rig.env.emulator.state.faultLog.length === 1, 'the hang to be applied');
      const other = await api(rig.env, '/saas/subscriptions');
      abort.abort();

      // Assess
      expect(other.status).toBe(200);
      await expect(hung).resolves.toBe('aborted');
    });

    it('fails the token endpoint too, but never the control API', async () => {
      // Prepare
      await addFault({ kind: 'http', path: '*', status: 503 });

      // Act
      const token = await fetch(`${rig.env.emulator.url}/${rig.env.emulator.publisherTenantId}/oauth2/v2.0/token`, { method: 'POST', body: '' });
      const state = await control(rig.env, '/state');
      await control(rig.env, '/faults', 'DELETE');
      const afterClear = await api(rig.env, '/saas/subscriptions');

      // Assess
      expect(token.status).toBe(503);
      expect(token.headers.get('retry-after')).toBe('1');
      expect(state.status).toBe(200);
      expect(afterClear.status).toBe(200);
    });

    it('answers 400 to a fault rule that does nothing', async () => {
      // Act
      const response = await control(rig.env, '/faults', 'POST', { kind: 'http', path: '*' });

      // Assess
      expect(response.status).toBe(400);
    });
  });

  describe('webhook faults', () => {
    it('delivers a duplicated webhook twice with the same operation id', async () => {
      // Prepare
      await addFault({ kind: 'webhook', effect: 'duplicate', times: 1 });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, 'Suspend');
      const calls = await rig.receiver.waitFor(2);

      // Assess
      expect(calls.map((call) => call.body.id)).toEqual([calls[0]?.body.id, calls[0]?.body.id]);
      expect(rig.env.emulator.state.deliveries.filter((d) => d.duplicateOf !== undefined)).toHaveLength(1);
    });

    it('drops a webhook so that only the next one arrives', async () => {
      // Prepare
      await addFault({ kind: 'webhook', effect: 'drop', action: 'Suspend' });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, 'Suspend');
      await fire(id, 'Unsubscribe');
      const calls = await rig.receiver.waitFor(1);

      // Assess
      expect(calls.map((call) => call.body.action)).toEqual(['Unsubscribe']);
      expect(rig.env.emulator.state.deliveries.map((d) => d.status)).toEqual(['dropped', 'delivered']);
    });

    it('holds a webhook back and sends it after the next one (out of order)', async () => {
      // Prepare
      await addFault({ kind: 'webhook', effect: 'hold', action: 'Suspend', holdMs: 60_000 });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, 'Suspend');
      await fire(id, 'Unsubscribe');
      const calls = await rig.receiver.waitFor(2);

      // Assess
      expect(calls.map((call) => call.body.action)).toEqual(['Unsubscribe', 'Suspend']);
    });

    it('treats the first N answers as failures, then succeeds (the endpoint sees every attempt)', async () => {
      // Prepare
      await addFault({ kind: 'webhook', effect: 'fail', failures: 2 });
      const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

      // Act
      await fire(id, 'Suspend');
      const calls = await rig.receiver.waitFor(3);
      const delivery = await eventually(() => rig.env.emulator.state.deliveries.find((d) => d.status === 'delivered'), 'delivery');

      // Assess
      expect(new Set(calls.map((call) => call.body.id)).size).toBe(1);
      expect(delivery.attempts.map((attempt) => attempt.injectedFailure === true)).toEqual([true, true, false]);
    });
  });
});
