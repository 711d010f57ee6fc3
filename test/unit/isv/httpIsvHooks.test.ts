import { IsvHookError } from '../../../shared/isv/errors';
import { SIGNATURE_HEADER, verifySignature } from '../../../shared/isv/signature';
import { buildIsvEvent, NOW, SECRET, setupHooks, type HooksSetup } from './isvTestSupport';

describe('createHttpIsvHooks: provision and notify', () => {
  let setup: HooksSetup;

  beforeEach(async () => {
    setup = await setupHooks();
  });

  afterEach(async () => {
    await setup.receiver.close();
  });

  it.each([
    ['provision', buildIsvEvent()],
    ['notify', buildIsvEvent({ type: 'saas.subscription.activated', id: 'sub-1:op-2' })],
  ] as const)('%s POSTs a signed CloudEvents 1.0 envelope with the documented headers', async (hook, event) => {
    // Act
    await setup.hooks[hook](event);

    // Assess
    const [received] = setup.receiver.events;
    expect(setup.receiver.requests).toHaveLength(1);
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/isv/events');
    expect(received?.headers).toMatchObject({
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'idempotency-key': event.id,
      'user-agent': 'saas-fulfillment/0.1.0',
    });
    expect(JSON.parse(received!.rawBody)).toEqual({
      specversion: '1.0',
      id: event.id,
      source: 'urn:saas-fulfillment',
      type: event.type,
      subject: event.subject,
      time: event.time,
      datacontenttype: 'application/json',
      data: JSON.parse(JSON.stringify(event.data)),
    });
    const header = received!.headers[SIGNATURE_HEADER.toLowerCase()];
    expect(received?.signature).toEqual({ valid: true });
    expect(verifySignature({ payload: received!.rawBody, header, secrets: [SECRET], now: new Date(NOW) })).toEqual({
      timestamp: Date.parse(NOW) / 1000,
    });
  });

  it('keeps the Idempotency-Key and body of an event across retries while the signature time moves on', async () => {
    // Prepare
    const event = buildIsvEvent();
    setup.receiver.reply({ status: 500 }, { status: 200 });

    // Act
    await expect(setup.hooks.provision(event)).rejects.toBeInstanceOf(IsvHookError);
    setup.clock.advance(90_000);
    await setup.hooks.provision(event);

    // Assess
    const [first, second] = setup.receiver.events;
    expect(first?.headers['idempotency-key']).toBe(event.id);
    expect(second?.headers['idempotency-key']).toBe(event.id);
    expect(second?.rawBody).toBe(first?.rawBody);
    expect(second?.headers[SIGNATURE_HEADER.toLowerCase()]).not.toBe(first?.headers[SIGNATURE_HEADER.toLowerCase()]);
    expect(second?.signature).toEqual({ valid: true });
  });

  it.each([500, 502, 503, 408, 429])('throws a retryable IsvHookError when the endpoint answers %i', async (status) => {
    // Prepare
    setup.receiver.reply({ status, json: { reason: 'try later' } });

    // Act
    const error = await setup.hooks.provision(buildIsvEvent()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(IsvHookError);
    expect(error).toMatchObject({ retryable: true, code: 'IsvHookUnavailable', kind: 'http', status, hook: 'provision' });
  });

  it.each([400, 403, 404, 409, 410, 422])('throws a non-retryable IsvHookError carrying the reason when the endpoint answers %i', async (status) => {
    // Prepare
    setup.receiver.reply({ status, json: { reason: 'tenant name already taken' } });

    // Act
    const error = await setup.hooks.provision(buildIsvEvent()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ retryable: false, code: 'IsvHookRejected', kind: 'http', status, isvReason: 'tenant name already taken' });
    expect((error as Error).message).toBe(`The ISV provisioning endpoint refused the event (HTTP ${status}): tenant name already taken`);
  });

  it('does not follow a redirect: it is a non-retryable refusal and nothing reaches the target', async () => {
    // Prepare
    setup.receiver.reply({ status: 307, headers: { location: `${setup.receiver.url}/elsewhere` } });

    // Act
    const error = await setup.hooks.notify(buildIsvEvent({ type: 'saas.subscription.suspended' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ retryable: false, status: 307, hook: 'notify' });
    expect(setup.receiver.requests.map((r) => r.path)).toEqual(['/isv/events']);
  });

  it('throws a retryable timeout error when the endpoint does not answer in time', async () => {
    // Prepare
    await setup.receiver.close();
    setup = await setupHooks({ timeoutMs: 50 });
    setup.receiver.reply({ hang: true });

    // Act
    const error = await setup.hooks.provision(buildIsvEvent()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ retryable: true, kind: 'timeout', code: 'IsvHookUnavailable' });
    expect((error as Error).message).toBe('The ISV provisioning endpoint did not answer within 50 ms');
  });

  it('throws a retryable network error when the connection drops', async () => {
    // Prepare
    setup.receiver.reply({ destroy: true });

    // Act
    const error = await setup.hooks.notify(buildIsvEvent({ type: 'saas.subscription.renewed' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ retryable: true, kind: 'network', hook: 'notify' });
  });

  it('rethrows the caller abort as is, not as an IsvHookError', async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('invocation cancelled');
    setup.receiver.reply(() => {
      controller.abort(reason);
      return { hang: true };
    });

    // Act
    const error = await setup.hooks.provision(buildIsvEvent(), { signal: controller.signal }).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(reason);
  });

  it('sends nothing when the caller signal is already aborted', async () => {
    // Prepare
    const signal = AbortSignal.abort(new Error('gone'));

    // Act
    const act = setup.hooks.notify(buildIsvEvent(), { signal });

    // Assess
    await expect(act).rejects.toThrow('gone');
    expect(setup.receiver.requests).toHaveLength(0);
  });

  it('logs a refusal as a warning with ids, and never the secret or the signature', async () => {
    // Prepare
    setup.receiver.reply({ status: 400 });

    // Act
    await setup.hooks.provision(buildIsvEvent()).catch(() => undefined);

    // Assess
    const signature = setup.receiver.requests[0]!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    const logged = JSON.stringify(setup.logs);
    expect(setup.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'isv refused event', fields: expect.objectContaining({ status: 400 }) }));
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(signature.split('v1=')[1]);
  });
});
