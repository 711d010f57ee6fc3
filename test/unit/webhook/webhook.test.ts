import { OTHER_TENANT_ID, startWebhookTokenTwin, v2Issuer, type WebhookTokenTwin } from '../../fakes/webhookTokens';
import { NOW, OPERATION_ID, SUBSCRIPTION_ID, webhookBody, webhookRig } from './webhookRig';

const json = (value: unknown): string => JSON.stringify(value);

describe('webhook function', () => {
  let twin: WebhookTokenTwin;
  let valid: string;

  beforeAll(async () => {
    twin = await startWebhookTokenTwin();
    valid = await twin.authorization({}, { now: NOW });
  });

  afterAll(() => twin.close());

  describe('forged requests', () => {
    const HOUR_MS = 3_600_000;
    it.each<[string, (t: WebhookTokenTwin) => Promise<Record<string, string>> | Record<string, string>, string]>([
      ['no Authorization header', () => ({}), 'missing_token'],
      ['a bearer value that is not a JWT', () => ({ authorization: 'Bearer abc.def' }), 'malformed_token'],
      ['alg: none', (t) => ({ authorization: `Bearer ${t.unsigned(t.claims('v2', NOW))}` }), 'unsupported_alg'],
      ['HS256 signed with the public key as the secret', (t) => ({ authorization: `Bearer ${t.signHs256WithPublicKey(t.claims('v2', NOW))}` }), 'unsupported_alg'],
      ['a valid token from an unknown key', async (t) => ({ authorization: await t.authorization({}, { key: 'untrusted', now: NOW }) }), 'unknown_key'],
      ['the wrong aud', async (t) => ({ authorization: await t.authorization({ aud: 'api://someone-else' }, { now: NOW }) }), 'wrong_audience'],
      ['the wrong tid', async (t) => ({ authorization: await t.authorization({ tid: OTHER_TENANT_ID }, { now: NOW }) }), 'wrong_tenant'],
      ['the wrong appid', async (t) => ({ authorization: await t.authorization({ appid: 'not-the-marketplace' }, { version: 'v1', now: NOW }) }), 'wrong_client'],
      ['the wrong azp', async (t) => ({ authorization: await t.authorization({ azp: 'not-the-marketplace' }, { version: 'v2', now: NOW }) }), 'wrong_client'],
      ['an expired token', async (t) => ({ authorization: await t.authorization({}, { now: new Date(NOW.getTime() - 2 * HOUR_MS) }) }), 'expired'],
      ['a token not yet valid', async (t) => ({ authorization: await t.authorization({}, { now: new Date(NOW.getTime() + HOUR_MS / 6) }) }), 'not_yet_valid'],
      ['the wrong issuer', async (t) => ({ authorization: await t.authorization({ iss: 'https://sts.windows.net/evil/' }, { now: NOW }) }), 'wrong_issuer'],
      ['a token copied from another tenant', async (t) => ({ authorization: await t.authorization({ iss: v2Issuer(OTHER_TENANT_ID), tid: OTHER_TENANT_ID }, { now: NOW }) }), 'wrong_issuer'],
    ])('answers 401 to %s and records and queues nothing', async (_name, headersFor, reason) => {
      // Prepare
      const rig = webhookRig(twin);
      const headers = await headersFor(twin);

      // Act
      const response = await rig.post(json(webhookBody()), headers);

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'AuthenticationFailed', details: { reason } }) });
      expect(await rig.operations.get(OPERATION_ID)).toBeUndefined();
      expect(rig.messages()).toEqual([]);
    });

    it('logs the refusal with its reason code and without the token', async () => {
      // Prepare
      const rig = webhookRig(twin);
      const token = await twin.sign({ aud: 'api://someone-else' }, { now: NOW });

      // Act
      await rig.post(json(webhookBody()), { authorization: `Bearer ${token}` });

      // Assess
      const logged = JSON.stringify(rig.logs);
      expect(rig.logs).toEqual([expect.objectContaining({ level: 'warn', message: 'request rejected', fields: expect.objectContaining({ status: 401, details: { reason: 'wrong_audience' } }) })]);
      for (const part of token.split('.')) expect(logged).not.toContain(part);
    });

    it('authenticates before reading the body: an oversized body without a token gets 401, not 413', async () => {
      // Prepare
      const rig = webhookRig(twin, { maxBodyBytes: 1_024 });

      // Act
      const response = await rig.post('x'.repeat(10_000));

      // Assess
      expect(response.status).toBe(401);
    });
  });

  describe('valid deliveries', () => {
    it('records the operation once, queues it and answers 200, in two storage round trips', async () => {
      // Prepare
      const rig = webhookRig(twin);
      const update = jest.spyOn(rig.operations, 'update');

      // Act
      const response = await rig.post(json(webhookBody()), { authorization: valid });

      // Assess
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', outcome: 'queued' });
      // The message carries the row's version, so that the worker need not read the row first.
      const stored = await rig.operations.get(OPERATION_ID);
      expect(rig.messages()).toEqual([{ v: 1, operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', receivedAt: NOW.toISOString(), etag: stored?.etag }]);
      const row = stored?.value;
      expect(row).toEqual(
        expect.objectContaining({ state: 'Received', action: 'ChangePlan', source: 'Azure', marketplaceStatus: 'InProgress', planId: 'gold', receivedAt: NOW.toISOString() }),
      );
      expect(row?.payload).not.toContain('buyer@contoso.example');
      expect(update).not.toHaveBeenCalled();
    });

    it('answers 200 to a repeat once processing has the operation, without queueing the work again', async () => {
      // Prepare
      const rig = webhookRig(twin);
      await rig.post(json(webhookBody()), { authorization: valid });
      const claimed = await rig.operations.get(OPERATION_ID);
      if (claimed === undefined) throw new Error('the first delivery recorded nothing');
      await rig.operations.update({ ...claimed.value, state: 'Processing' }, claimed.etag);

      // Act
      const responses = [await rig.post(json(webhookBody()), { authorization: valid }), await rig.post(json(webhookBody()), { authorization: valid })];

      // Assess
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      expect(await responses[0]?.json()).toEqual(expect.objectContaining({ outcome: 'duplicate' }));
      expect(rig.messages()).toHaveLength(1);
    });

    it('queues a repeat again while no worker has claimed the operation (processing is idempotent)', async () => {
      // Prepare
      const rig = webhookRig(twin);
      await rig.post(json(webhookBody()), { authorization: valid });

      // Act
      const repeat = await rig.post(json(webhookBody()), { authorization: valid });

      // Assess
      expect(repeat.status).toBe(200);
      expect(await repeat.json()).toEqual(expect.objectContaining({ outcome: 'requeued' }));
      expect(rig.messages()).toHaveLength(2);
      expect((await rig.operations.get(OPERATION_ID))?.value.state).toBe('Received');
    });

    it('loses nothing when the first delivery dies between recording and queueing: the repeat queues it', async () => {
      // Prepare
      const rig = webhookRig(twin);
      rig.queue.failures = 1;
      const first = await rig.post(json(webhookBody()), { authorization: valid });
      const afterFirst = rig.messages().length;

      // Act
      const second = await rig.post(json(webhookBody()), { authorization: valid });

      // Assess
      expect(first.status).toBe(500);
      expect(afterFirst).toBe(0);
      expect((await rig.operations.get(OPERATION_ID))?.value.state).toBe('Received');
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual(expect.objectContaining({ outcome: 'requeued' }));
      expect(rig.messages()).toEqual([{ v: 1, operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan' }]);
    });

    it('answers 503, not a 4xx that would reject a plan change, when the ledger is unavailable', async () => {
      // Prepare
      const rig = webhookRig(twin);
      const { DependencyUnavailableError } = await import('../../../shared/errors');
      jest.spyOn(rig.operations, 'create').mockRejectedValueOnce(new DependencyUnavailableError('table-storage', 'down'));

      // Act
      const response = await rig.post(json(webhookBody()), { authorization: valid });

      // Assess
      expect(response.status).toBe(503);
      expect(rig.messages()).toEqual([]);
    });

    it.each([
      ['an action this app does not know', { action: 'Transfer' }, { action: 'Transfer' }],
      ['the newest Subscribe action', { action: 'Subscribe', status: 'Succeeded' }, { action: 'Subscribe' }],
      ['a quantity sent as a string', { action: 'ChangeQuantity', quantity: '20' }, { quantity: 20 }],
      ['unusable optional fields (dropped)', { quantity: { n: 1 }, planId: 42, timeStamp: false }, { planId: undefined, quantity: undefined }],
      ['fields Microsoft may add', { somethingNew: { nested: true } }, { action: 'ChangePlan' }],
      ['the legacy operationType instead of action', { action: undefined, operationType: 'Reinstate' }, { action: 'Reinstate' }],
    ])('accepts %s', async (_name, overrides, expected) => {
      // Prepare
      const rig = webhookRig(twin);

      // Act
      const response = await rig.post(json(webhookBody(overrides)), { authorization: valid });

      // Assess
      expect(response.status).toBe(200);
      const row = (await rig.operations.get(OPERATION_ID))?.value;
      for (const [key, value] of Object.entries(expected)) expect(row?.[key as keyof typeof row]).toEqual(value);
    });
  });

  describe('malformed bodies', () => {
    it.each([
      ['no operation id', json(webhookBody({ id: undefined })), 'id'],
      ['no subscription id', json(webhookBody({ subscriptionId: undefined })), 'subscriptionId'],
      ['no action', json(webhookBody({ action: undefined })), 'action'],
      ['an id that could not be a row key', json(webhookBody({ id: 'a/b' })), 'id'],
      ['a JSON array', '[1,2]', '(root)'],
      ['text that is not JSON', 'hello', '(body)'],
      ['an empty body', '', '(body)'],
    ])('answers 400 to %s, saying what is wrong, and records nothing', async (_name, body, path) => {
      // Prepare
      const rig = webhookRig(twin);

      // Act
      const response = await rig.post(body, { authorization: valid });

      // Assess
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { details: { issues: string[] } } };
      expect(error.details.issues.some((issue) => issue.startsWith(path))).toBe(true);
      expect(rig.messages()).toEqual([]);
    });

    it('answers 413 to a body over the limit', async () => {
      // Prepare
      const rig = webhookRig(twin, { maxBodyBytes: 1_024 });

      // Act
      const response = await rig.post(json(webhookBody({ padding: 'x'.repeat(2_000) })), { authorization: valid });

      // Assess
      expect(response.status).toBe(413);
      expect(rig.messages()).toEqual([]);
    });
  });
});
