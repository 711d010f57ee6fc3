import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixedClock } from '../../../shared/clock';
import { ConfigurationError } from '../../../shared/errors';
import { ISV_CLIENT_VERSION } from '../../../shared/isv/cloudEvent';
import { createIsvHooks } from '../../../shared/isv/createIsvHooks';
import { noopIsvHooks } from '../../../shared/isv/hooks';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { startIsvReceiver, type IsvReceiver } from '../../fakes/isvReceiver';
import { buildIsvEvent, NOW, SECRET } from './isvTestSupport';

const TIMEOUTS = { timeoutMs: 2_000, decisionTimeoutMs: 2_000 };
const decisionRequest = { action: 'ChangePlan', operationId: 'op-7', subscription: buildSubscriptionRecord(), planId: 'gold' } as const;

describe('createIsvHooks', () => {
  let receiver: IsvReceiver;
  const clock = fixedClock(NOW);

  beforeEach(async () => {
    receiver = await startIsvReceiver({ secret: SECRET, clock });
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('returns the no-op hooks, which make no request, when no URL is configured', async () => {
    // Prepare
    const fetchSpy = jest.fn<Promise<Response>, Parameters<typeof fetch>>();

    // Act
    const hooks = createIsvHooks({ ...TIMEOUTS, secret: SECRET }, { fetch: fetchSpy });
    await hooks.provision(buildIsvEvent());
    await hooks.notify(buildIsvEvent({ type: 'saas.subscription.unsubscribed' }));
    const decision = await hooks.decide(decisionRequest, { signal: new AbortController().signal });

    // Assess
    expect(hooks).toBe(noopIsvHooks);
    expect(decision).toEqual({ accept: true });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends events but accepts every change without a call when only the webhook URL is set', async () => {
    // Prepare
    const hooks = createIsvHooks({ ...TIMEOUTS, secret: SECRET, webhookUrl: receiver.url }, { clock });

    // Act
    await hooks.notify(buildIsvEvent({ type: 'saas.subscription.activated' }));
    const decision = await hooks.decide(decisionRequest, { signal: new AbortController().signal });

    // Assess
    expect(decision).toEqual({ accept: true });
    expect(receiver.eventsOfType('saas.subscription.activated')).toHaveLength(1);
    expect(receiver.decisions).toHaveLength(0);
  });

  it('asks for decisions but sends no events when only the decision URL is set', async () => {
    // Prepare
    const hooks = createIsvHooks({ ...TIMEOUTS, secret: SECRET, decisionUrl: receiver.url }, { clock });
    receiver.reply({ status: 200, json: { accept: false, reason: 'no' } });

    // Act
    await hooks.provision(buildIsvEvent());
    await hooks.notify(buildIsvEvent({ type: 'saas.subscription.suspended' }));
    const decision = await hooks.decide(decisionRequest, { signal: new AbortController().signal });

    // Assess
    expect(decision).toEqual({ accept: false, reason: 'no' });
    expect(receiver.events).toHaveLength(0);
    expect(receiver.decisions).toHaveLength(1);
  });

  it('fails with a ConfigurationError naming the key when a URL is set without a secret', () => {
    // Act
    const act = () => createIsvHooks({ ...TIMEOUTS, webhookUrl: receiver.url });

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/ISV_WEBHOOK_SECRET/);
  });

  it('gets a 401 refusal from a receiver holding another secret', async () => {
    // Prepare
    const hooks = createIsvHooks({ ...TIMEOUTS, secret: 'not-the-receiver-secret-0123456789abcdef', webhookUrl: receiver.url }, { clock });

    // Act
    const error = await hooks.provision(buildIsvEvent()).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 401, retryable: false, isvReason: 'invalid signature: no_matching_signature' });
    expect(receiver.requests[0]?.signature).toEqual({ valid: false, reason: 'no_matching_signature' });
  });

  it('announces the package version in the User-Agent', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string };

    // Assess
    expect(ISV_CLIENT_VERSION).toBe(pkg.version);
  });
});
