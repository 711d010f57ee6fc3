import { QueueServiceClient } from '@azure/storage-queue';
import type { RunningStack } from '../../dev/stack';
import { encodeQueueMessage } from '../../shared/storage';
import { startIsvReceiver, type IsvReceiver } from '../fakes/isvReceiver';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { addressesOf, eventually, LandingStackClient, startLandingStack } from './support/landingStack';

// The spans come from the local host's child process, so the test runs an OTLP/HTTP receiver on
// loopback and points the app's real OTLP exporters at it (OTEL_EXPORTER_OTLP_ENDPOINT).
const ISV_SECRET = 'telemetry-e2e-isv-secret-0123456789abcdef';
let otlp: OtlpReceiver;
let isv: IsvReceiver;
let stack: RunningStack;
let client: LandingStackClient;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  isv = await startIsvReceiver({ secret: ISV_SECRET });
  stack = await startLandingStack({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    ISV_WEBHOOK_URL: isv.url,
    ISV_DECISION_URL: isv.url,
    ISV_WEBHOOK_SECRET: ISV_SECRET,
  });
  client = new LandingStackClient(addressesOf(stack));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await isv?.close();
  await otlp?.close();
});

const traceOf = (traceId: string): ReceivedSpan[] => otlp.spans.filter((span) => span.traceId === traceId);

/** The span named `name` in the trace, or undefined while it has not arrived. */
function spanIn(trace: readonly ReceivedSpan[], name: string): ReceivedSpan | undefined {
  return trace.find((span) => span.name === name);
}

/** The trace of the first span named `first` whose trace holds every one of `names` (spans arrive in batches). */
function completeTrace(first: string, names: readonly string[]): ReceivedSpan[] | undefined {
  for (const span of otlp.spans.filter((s) => s.name === first)) {
    const trace = traceOf(span.traceId);
    if (names.every((name) => trace.some((s) => s.name === name))) return trace;
  }
  return undefined;
}

/** True when `ancestor` is `span` or one of its ancestors, following parent ids inside the trace. */
function descendsFrom(trace: readonly ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  for (let current: ReceivedSpan | undefined = span; current !== undefined; current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined) {
    if (current.spanId === ancestor.spanId) return true;
  }
  return false;
}

async function activated(subscriptionId: string): Promise<void> {
  await eventually('the subscription to be Subscribed', async () => ((await client.stored(subscriptionId))?.status === 'Subscribed' ? true : undefined), 30_000);
}

describe('traces on the local stack', () => {
  it('follows a landing visit through the activations queue to Activate and the provisioning hook in one trace', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    await client.page(bought.landingUrl);
    await activated(bought.subscriptionId);

    // Assess
    const trace = await eventually('the activation trace', () =>
      completeTrace('GET /api/landing', ['send activations', 'process activations', 'POST isv saas.subscription.provision', 'POST /saas/subscriptions/{subscriptionId}/activate']),
    );
    const landing = spanIn(trace, 'GET /api/landing')!;
    const send = spanIn(trace, 'send activations')!;
    const consumer = spanIn(trace, 'process activations')!;
    const provision = spanIn(trace, 'POST isv saas.subscription.provision')!;
    const activate = spanIn(trace, 'POST /saas/subscriptions/{subscriptionId}/activate')!;
    expect(send.parentSpanId).toBe(landing.spanId);
    expect(consumer.parentSpanId).toBe(send.spanId);
    expect(descendsFrom(trace, provision, consumer)).toBe(true);
    expect(descendsFrom(trace, activate, consumer)).toBe(true);
    expect(activate.attributes).toMatchObject({ 'http.response.status_code': 200, 'marketplace.attempt': 1 });
    expect(typeof activate.attributes['marketplace.request_id']).toBe('string');
    // The purchase token never leaves in a span, a log record or a metric.
    expect(otlp.raw.join('\n')).not.toContain(bought.token);
  });

  it('follows a ChangePlan webhook through the operations queue to Get Operation, the decision hook and the PATCH in one trace', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    await client.page(bought.landingUrl);
    await activated(bought.subscriptionId);

    // Act
    await client.control(`/subscriptions/${bought.subscriptionId}/actions`, { body: { action: 'ChangePlan', planId: 'professional' } });

    // Assess
    const route = '/saas/subscriptions/{subscriptionId}/operations/{operationId}';
    const trace = await eventually(
      'the webhook trace',
      () => completeTrace('POST /api/webhook', ['send operations', 'process operations', `GET ${route}`, 'POST isv saas.subscription.change_requested', `PATCH ${route}`]),
      30_000,
    );
    const request = spanIn(trace, 'POST /api/webhook')!;
    const send = spanIn(trace, 'send operations')!;
    const consumer = trace.find((span) => span.name === 'process operations' && span.parentSpanId === send.spanId)!;
    const getOperation = spanIn(trace, `GET ${route}`)!;
    const decision = spanIn(trace, 'POST isv saas.subscription.change_requested')!;
    const patch = spanIn(trace, `PATCH ${route}`)!;
    expect(request.attributes).toMatchObject({ 'http.response.status_code': 200 });
    expect(descendsFrom(trace, send, request)).toBe(true);
    expect(consumer).toBeDefined();
    for (const span of [getOperation, decision, patch]) expect(descendsFrom(trace, span, consumer)).toBe(true);
    expect(patch.attributes).toMatchObject({ 'url.template': route, 'http.request.method': 'PATCH', 'http.response.status_code': 200 });
    expect(typeof patch.attributes['marketplace.correlation_id']).toBe('string');
    // The decision CloudEvent carried the trace context to the product.
    const sent = isv.decisions.find((d) => d.event?.subject === bought.subscriptionId);
    expect((sent?.event as { traceparent?: string } | undefined)?.traceparent).toBe(`00-${decision.traceId}-${decision.spanId}-01`);
  });

  it('processes a queue message that carries no trace context', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient('activations');
    await queue.createIfNotExists();
    const message = { subscriptionId: bought.subscriptionId, planId: 'starter', requestId: `old-${bought.subscriptionId}`, requestedAt: new Date().toISOString() };

    // Act
    await queue.sendMessage(encodeQueueMessage(message));
    await activated(bought.subscriptionId);

    // Assess
    const consumer = await eventually('the consumer span of that message', () =>
      otlp.spans.find((span) => span.name === 'process activations' && !traceOf(span.traceId).some((s) => s.name === 'GET /api/landing' || s.name === 'send activations')),
    );
    expect(consumer.links).toEqual([]);
    expect(traceOf(consumer.traceId).map((span) => span.name)).toContain('POST /saas/subscriptions/{subscriptionId}/activate');
  });

  it('follows a publisher change from its request through the Marketplace PATCH to the publisher-operations queue in one trace', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    await client.page(bought.landingUrl);
    await activated(bought.subscriptionId);

    // Act
    const response = await client.page(`/api/subscriptions/${bought.subscriptionId}/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ planId: 'professional' }) });

    // Assess: the tracker's first poll waits for Microsoft's Retry-After, so its message is processed seconds later.
    expect(response.status).toBe(202);
    const trace = await eventually(
      'the publisher change trace',
      () => completeTrace('POST /api/subscriptions/{subscriptionId}/plan', ['PATCH /saas/subscriptions/{subscriptionId}', 'send publisher-operations', 'process publisher-operations']),
      40_000,
    );
    const request = spanIn(trace, 'POST /api/subscriptions/{subscriptionId}/plan')!;
    const send = spanIn(trace, 'send publisher-operations')!;
    expect(spanIn(trace, 'PATCH /saas/subscriptions/{subscriptionId}')?.parentSpanId).toBe(request.spanId);
    expect(send.parentSpanId).toBe(request.spanId);
    expect(trace.some((span) => span.name === 'process publisher-operations' && span.parentSpanId === send.spanId)).toBe(true);
  }, 60_000);

  it('puts every Marketplace call of a reconciliation run in the trace of its POST /api/reconcile invocation', async () => {
    // Act
    const response = await client.page('/api/reconcile', { method: 'POST' });

    // Assess
    expect(response.status).toBe(200);
    const trace = await eventually('the reconciliation trace', () => completeTrace('POST /api/reconcile', ['GET /saas/subscriptions']));
    const request = spanIn(trace, 'POST /api/reconcile')!;
    const calls = trace.filter((span) => span.name.startsWith('GET /saas/'));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(descendsFrom(trace, call, request)).toBe(true);
  });

  it('puts the readiness probe of the Marketplace API in the trace of its GET /api/health/ready invocation', async () => {
    // Act
    const response = await client.page('/api/health/ready');

    // Assess
    expect([200, 503]).toContain(response.status);
    const trace = await eventually('the readiness trace', () => completeTrace('GET /api/health/ready', ['GET /saas/subscriptions/{subscriptionId}']));
    const request = spanIn(trace, 'GET /api/health/ready')!;
    const probe = spanIn(trace, 'GET /saas/subscriptions/{subscriptionId}')!;
    expect(probe.parentSpanId).toBe(request.spanId);
  });

  it('exports log records with their fields as attributes, the metrics of the contract, and no secret', async () => {
    // Assess (after the flows above)
    await eventually('metrics', () => (otlp.metricNames.has('operation.processed') && otlp.metricNames.has('activation.completed') ? true : undefined), 10_000);
    expect([...otlp.metricNames]).toEqual(expect.arrayContaining(['webhook.received', 'operation.processed', 'operation.ack_delay', 'activation.completed', 'activation.duration', 'marketplace.calls']));
    const record = otlp.logs.find((log) => typeof log.attributes.functionName === 'string' && typeof log.attributes.invocationId === 'string');
    expect(record).toBeDefined();
    expect(String(record?.body)).not.toContain('{');
    // On the local console, the same fields are top-level keys of the host's JSON lines.
    const lines = stack
      .hostOutput()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'operation processed', outcome: 'completed', action: 'ChangePlan', category: 'user' }));
    const everything = otlp.raw.join('\n');
    expect(everything).not.toContain(ISV_SECRET);
    expect(everything).not.toContain(stack.settings.MARKETPLACE_CLIENT_SECRET ?? 'unset-secret');
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./);
    expect(everything).not.toMatch(/AccountKey=[^[]/);
  });
});
