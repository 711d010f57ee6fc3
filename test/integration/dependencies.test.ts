import { InvocationContext } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { createInMemoryTelemetry } from '../../dev/inMemoryTelemetry';
import { fixedClock } from '../../shared/clock';
import { loadConfig, type Env } from '../../shared/config';
import { buildDependencies, perInvocation, type AppDependencies } from '../../shared/dependencies';
import { QUEUE_NAMES } from '../../shared/storage';
import { instrumentInvocation, noTelemetry, type InvocationHookContext } from '../../shared/telemetry';
import { buildSubscriptionRecord } from '../fixtures/buildSubscriptionRecord';
import { startFakeMarketplaceServer, type FakeMarketplaceServer } from '../fakes/fakeMarketplaceServer';
import { createFakeCredential } from '../fakes/fakeCredential';
import { startIsvReceiver, type IsvReceiver } from '../fakes/isvReceiver';
import { buildIsvEvent } from '../unit/isv/isvTestSupport';
import { webhookDependencyGetter, type WebhookDependencies } from '../../shared/webhook/webhookDependencies';

describe('buildDependencies', () => {
  let azurite: RunningAzurite;
  let marketplace: FakeMarketplaceServer;

  beforeAll(async () => {
    azurite = await startAzurite();
    marketplace = await startFakeMarketplaceServer();
  });

  afterAll(async () => {
    await marketplace.close();
    await azurite.stop();
  });

  const configWith = (env: Env = {}) =>
    loadConfig({
      AzureWebJobsStorage: azurite.connectionString,
      STORAGE_TABLE_PREFIX: 'deps',
      MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      MARKETPLACE_CLIENT_SECRET: 'unused-with-an-injected-credential',
      MARKETPLACE_API_BASE_URL: marketplace.baseUrl,
      ...env,
    });

  it('wires configuration to working storage, queue and marketplace adapters', async () => {
    // Prepare
    const config = configWith();
    const credential = createFakeCredential();
    const deps = buildDependencies(config, { marketplaceCredential: credential, clock: fixedClock('2026-01-01T00:00:00Z') });
    const record = buildSubscriptionRecord({ id: 'a1b2c3d4-0000-4000-8000-000000000001' });
    marketplace.reply({ status: 200, body: { plans: [] } });

    // Act
    await deps.subscriptions.create(record);
    const stored = await deps.subscriptions.get(record.id);
    const sent = await deps.queue(QUEUE_NAMES.activations).send({ subscriptionId: record.id });
    const plans = await deps.marketplace.listAvailablePlans(record.id);
    const logs: unknown[][] = [];
    deps.logger(new InvocationContext({ invocationId: 'inv-1', functionName: 'f', logHandler: (...args) => logs.push(args) })).info('hello');

    // Assess
    expect(stored?.value.id).toBe(record.id);
    expect(sent).toBeDefined();
    expect(plans).toEqual([]);
    expect(credential.scopes).toContain('20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default');
    // One JSON object per entry: its fields are properties of the record, not part of the text.
    expect(logs[0]).toEqual(['information', JSON.stringify({ message: 'hello', invocationId: 'inv-1', functionName: 'f' })]);
    expect(deps.clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  describe('bound to an invocation', () => {
    const ISV_SECRET = 'deps-test-isv-secret-0123456789abcdef';
    let isv: IsvReceiver;

    beforeAll(async () => {
      isv = await startIsvReceiver({ secret: ISV_SECRET });
    });

    afterAll(async () => {
      await isv.close();
    });

    const httpInvocation = (invocationId: string, traceId: string): InvocationContext =>
      new InvocationContext({
        invocationId,
        functionName: 'changePlan',
        logHandler: () => undefined,
        traceContext: { traceParent: `00-${traceId}-1111111111111111-01` },
        options: { trigger: { type: 'httpTrigger', name: 'request', route: 'subscriptions/{subscriptionId}/plan', methods: ['POST'], authLevel: 'function' }, extraInputs: [], extraOutputs: [] },
      });

    it('makes the spans of two interleaved invocations (queue send, Marketplace call, ISV event, log record) children of their own invocation span', async () => {
      // Prepare
      const memory = createInMemoryTelemetry();
      const deps = buildDependencies(configWith({ ISV_WEBHOOK_URL: isv.url, ISV_WEBHOOK_SECRET: ISV_SECRET }), { marketplaceCredential: createFakeCredential(), telemetry: memory.telemetry });
      marketplace.reply({ status: 200, body: { plans: [] } }, { status: 200, body: { plans: [] } });
      const invocations = [httpInvocation('inv-1', 'a'.repeat(32)), httpInvocation('inv-2', 'b'.repeat(32))];
      let release = (): void => undefined;
      const bothStarted = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      const handler = async (_request: unknown, context: InvocationContext): Promise<{ status: number }> => {
        const bound = deps.forInvocation(context);
        // Each invocation waits until both have started, so their awaits interleave.
        if (++started === 2) release();
        await bothStarted;
        await bound.queue(QUEUE_NAMES.operations).send({ invocationId: context.invocationId });
        await bound.marketplace.listAvailablePlans(buildSubscriptionRecord().id);
        await bound.isv.notify(buildIsvEvent({ id: `event-${context.invocationId}`, type: 'saas.subscription.suspended' }));
        bound.logger(context).info('done');
        return { status: 202 };
      };
      const hooks: InvocationHookContext[] = invocations.map((context) => ({ invocationContext: context, inputs: [{ method: 'POST' }], functionHandler: handler }));
      for (const hook of hooks) instrumentInvocation(memory.telemetry, hook);

      // Act
      await Promise.all(hooks.map((hook) => (hook.functionHandler as typeof handler)({}, hook.invocationContext)));
      // Outside any invocation (start-up, timers' helpers): the process's adapters make root spans.
      await deps.queue(QUEUE_NAMES.operations).send({ invocationId: 'none' });

      // Assess
      const { spans, logs } = await memory.collect();
      await memory.telemetry.shutdown();
      for (const context of invocations) {
        const root = spans.find((span) => span.attributes['faas.invocation_id'] === context.invocationId);
        const children = spans.filter((span) => span.parentSpanContext?.spanId === root?.spanContext().spanId);
        expect(children.map((span) => span.name).sort()).toEqual(['GET /saas/subscriptions/{subscriptionId}/listAvailablePlans', 'POST isv saas.subscription.suspended', 'send operations']);
        expect(children.every((span) => span.spanContext().traceId === root?.spanContext().traceId)).toBe(true);
        expect(logs.find((log) => log.attributes.invocationId === context.invocationId)?.spanContext?.spanId).toBe(root?.spanContext().spanId);
      }
      const event = isv.events.find((request) => request.event?.id === 'event-inv-2')?.event as { traceparent?: string } | undefined;
      const isvSpan = spans.find((span) => span.name === 'POST isv saas.subscription.suspended' && span.spanContext().traceId === 'b'.repeat(32));
      expect(event?.traceparent).toBe(`00-${'b'.repeat(32)}-${isvSpan?.spanContext().spanId}-01`);
      const sends = spans.filter((span) => span.name === 'send operations');
      expect(sends).toHaveLength(3);
      expect(sends.filter((span) => span.parentSpanContext === undefined)).toHaveLength(1);
    });

    it('binds only the thin telemetry wrappers: what holds a cache (the webhook key set, the stores) stays the process\'s, uncopied', async () => {
      // Prepare
      const memory = createInMemoryTelemetry();
      const deps = buildDependencies(configWith(), { marketplaceCredential: createFakeCredential(), telemetry: memory.telemetry });
      const getWebhookDeps = webhookDependencyGetter(() => deps);
      const context = httpInvocation('inv-4', 'd'.repeat(32));
      let bound: WebhookDependencies | undefined;
      let boundApp: AppDependencies | undefined;
      const hook: InvocationHookContext = {
        invocationContext: context,
        inputs: [{ method: 'POST' }],
        functionHandler: () => {
          bound = getWebhookDeps(context);
          boundApp = deps.forInvocation(context);
          return { status: 200 };
        },
      };
      instrumentInvocation(memory.telemetry, hook);

      // Act
      await (hook.functionHandler as () => Promise<unknown>)();
      await memory.telemetry.shutdown();

      // Assess
      expect(bound).not.toBe(getWebhookDeps());
      expect(bound?.verifier).toBe(getWebhookDeps().verifier);
      expect(bound?.queue).not.toBe(getWebhookDeps().queue);
      expect(deps.forInvocation(httpInvocation('inv-5', 'e'.repeat(32)))).toBe(deps);
      // The bound app: its own telemetry and span-making adapters (each built once), the app's stores, clock and config.
      expect(boundApp).toBeDefined();
      expect(boundApp?.telemetry).not.toBe(deps.telemetry);
      expect(boundApp?.forInvocation(context).telemetry).toBe(boundApp?.telemetry);
      expect(boundApp?.marketplace).not.toBe(deps.marketplace);
      expect(boundApp?.marketplace).toBe(boundApp?.marketplace);
      expect(boundApp?.isv).toBe(boundApp?.isv);
      for (const key of ['subscriptions', 'operations', 'history', 'usage', 'plans', 'runs', 'config', 'clock', 'marketplaceCredential'] as const) {
        expect(boundApp?.[key]).toBe(deps[key]);
      }
    });

    it('allocates nothing per invocation without telemetry: the process-wide objects are returned', () => {
      // Prepare
      const deps = buildDependencies(configWith(), { marketplaceCredential: createFakeCredential(), telemetry: noTelemetry });
      const context = httpInvocation('inv-3', 'c'.repeat(32));
      const getArea = perInvocation(() => deps, (app) => ({ queue: app.queue(QUEUE_NAMES.operations), marketplace: app.marketplace }));
      instrumentInvocation(noTelemetry, { invocationContext: context, inputs: [], functionHandler: () => undefined });

      // Act
      const bound = deps.forInvocation(context);

      // Assess
      expect(bound).toBe(deps);
      expect(getArea(context)).toBe(getArea());
      expect(getArea(context).queue).toBe(deps.queue(QUEUE_NAMES.operations));
    });
  });
});
