import type { ChangeDecisionRequest } from '../../../shared/isv/hooks';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { NOW, setupHooks, type HooksSetup } from './isvTestSupport';

function buildRequest(overrides: Partial<ChangeDecisionRequest> = {}): ChangeDecisionRequest {
  return { action: 'ChangePlan', operationId: 'op-42', subscription: buildSubscriptionRecord(), planId: 'gold', ...overrides };
}

const UNAVAILABLE = /^decision endpoint unavailable: /;

describe('createHttpIsvHooks: decide', () => {
  let setup: HooksSetup;
  const decide = (request = buildRequest()) => setup.hooks.decide(request, { signal: new AbortController().signal });

  beforeEach(async () => {
    setup = await setupHooks();
  });

  afterEach(async () => {
    await setup.receiver.close();
  });

  it('POSTs a signed change_requested CloudEvent and accepts when the ISV answers accept', async () => {
    // Prepare
    setup.receiver.reply({ status: 200, json: { accept: true } });
    const request = buildRequest({ action: 'ChangeQuantity', planId: undefined, quantity: 25 });

    // Act
    const decision = await decide(request);

    // Assess
    expect(decision).toEqual({ accept: true });
    const [received] = setup.receiver.decisions;
    expect(received?.path).toBe('/isv/decisions');
    expect(received?.signature).toEqual({ valid: true });
    expect(received?.headers).toMatchObject({
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'idempotency-key': `${request.subscription.id}:op-42:change_requested`,
    });
    expect(received?.event).toMatchObject({
      specversion: '1.0',
      type: 'saas.subscription.change_requested',
      subject: request.subscription.id,
      time: NOW,
      data: { action: 'ChangeQuantity', operationId: 'op-42', quantity: 25, subscription: { id: request.subscription.id } },
    });
    expect(received?.event?.data).not.toHaveProperty('planId');
  });

  it('rejects with the ISV reason when it answers accept false', async () => {
    // Prepare
    setup.receiver.reply({ status: 200, json: { accept: false, reason: 'Gold needs a signed contract' } });

    // Act
    const decision = await decide();

    // Assess
    expect(decision).toEqual({ accept: false, reason: 'Gold needs a signed contract' });
    expect(setup.logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'isv declined change' }));
  });

  it('rejects with a default reason when accept is false without one', async () => {
    // Prepare
    setup.receiver.reply({ status: 200, json: { accept: false } });

    // Act
    const decision = await decide();

    // Assess
    expect(decision).toEqual({ accept: false, reason: 'declined by the decision endpoint' });
  });

  it.each([
    [409, { reason: 'seat count below active users' }, 'seat count below active users'],
    [422, undefined, 'declined by the decision endpoint (HTTP 422)'],
    [400, { error: 'no reason field' }, 'declined by the decision endpoint (HTTP 400)'],
  ])('rejects when the ISV answers %i', async (status, json, reason) => {
    // Prepare
    setup.receiver.reply({ status, json });

    // Act
    const decision = await decide();

    // Assess
    expect(decision).toEqual({ accept: false, reason });
  });

  it('accepts with a reason and a warning when the endpoint does not answer in time', async () => {
    // Prepare
    await setup.receiver.close();
    setup = await setupHooks({ decisionTimeoutMs: 50 });
    setup.receiver.reply({ hang: true });

    // Act
    const decision = await decide();

    // Assess
    expect(decision).toEqual({ accept: true, reason: 'decision endpoint unavailable: no answer within 50 ms' });
    expect(setup.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'isv decision endpoint unavailable; change accepted', fields: expect.objectContaining({ operationId: 'op-42' }) }),
    );
  });

  it.each([
    ['a body that is not JSON', { status: 200, body: '<html>oops</html>' }, 'unparseable response (not JSON)'],
    ['JSON without a boolean accept', { status: 200, json: { accept: 'yes' } }, 'unparseable response (expected { "accept": boolean })'],
    ['HTTP 500', { status: 500, json: { accept: false } }, 'HTTP 500'],
    ['HTTP 503', { status: 503 }, 'HTTP 503'],
    ['HTTP 429', { status: 429 }, 'HTTP 429'],
    ['a redirect', { status: 302, headers: { location: 'http://127.0.0.1:1/' } }, 'HTTP 302'],
  ])('accepts with a reason when the endpoint answers %s', async (_label, reply, problem) => {
    // Prepare
    setup.receiver.reply(reply);

    // Act
    const decision = await decide();

    // Assess
    expect(decision).toEqual({ accept: true, reason: `decision endpoint unavailable: ${problem}` });
  });

  it('accepts with a reason when the connection drops', async () => {
    // Prepare
    setup.receiver.reply({ destroy: true });

    // Act
    const decision = await decide();

    // Assess
    expect(decision.accept).toBe(true);
    expect(decision.reason).toMatch(UNAVAILABLE);
    expect(decision.reason).toMatch(/network error/);
  });

  it('rethrows an abort of the caller signal instead of deciding', async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('webhook deadline');
    setup.receiver.reply(() => {
      controller.abort(reason);
      return { hang: true };
    });

    // Act
    const act = setup.hooks.decide(buildRequest(), { signal: controller.signal });

    // Assess
    await expect(act).rejects.toBe(reason);
  });

  it('keeps the same event id when the same operation is asked about twice', async () => {
    // Prepare
    const request = buildRequest({ action: 'Reinstate', planId: undefined });

    // Act
    await decide(request);
    setup.clock.advance(5_000);
    await decide(request);

    // Assess
    const ids = setup.receiver.decisions.map((d) => d.event?.id);
    expect(ids).toEqual([`${request.subscription.id}:op-42:change_requested`, `${request.subscription.id}:op-42:change_requested`]);
    expect(setup.receiver.decisions.map((d) => d.signature.valid)).toEqual([true, true]);
  });
});
