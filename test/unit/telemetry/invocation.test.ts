import { HttpRequest, InvocationContext, type InvocationContextInit } from '@azure/functions';
import { instrumentInvocation, noTelemetry, type InvocationHookContext } from '../../../shared/telemetry';
import { counterValue, inMemoryTelemetryPerTest } from '../../support/telemetry';

const HOST_TRACE = '00-11111111111111111111111111111111-2222222222222222-01';
const SENDER_TRACE = '00-33333333333333333333333333333333-4444444444444444-01';

function hookFor(init: InvocationContextInit, handler: (...args: never[]) => unknown, inputs: unknown[]): InvocationHookContext {
  return { invocationContext: new InvocationContext({ invocationId: 'inv-1', logHandler: () => undefined, ...init }), inputs, functionHandler: handler };
}

function queueInit(functionName: string, queueName: string, dequeueCount = 1): InvocationContextInit {
  return {
    functionName,
    traceContext: { traceParent: HOST_TRACE },
    triggerMetadata: { id: 'msg-1', dequeueCount, insertionTime: new Date(Date.now() - 1_500).toISOString() },
    options: { trigger: { type: 'queueTrigger', name: 'queueItem', queueName, connection: 'AzureWebJobsStorage' }, extraInputs: [], extraOutputs: [] },
  };
}

async function run(hook: InvocationHookContext, ...args: unknown[]): Promise<unknown> {
  return (hook.functionHandler as (...a: unknown[]) => Promise<unknown>)(...args);
}

describe('instrumentInvocation', () => {
  const memory = inMemoryTelemetryPerTest();

  it('wraps nothing without telemetry', () => {
    // Prepare
    const handler = (): string => 'done';
    const hook = hookFor(queueInit('processOperation', 'operations'), handler, [{}]);

    // Act
    instrumentInvocation(noTelemetry, hook);

    // Assess
    expect(hook.functionHandler).toBe(handler);
  });

  it('runs an HTTP invocation in a server span under the host trace context and counts the webhook outcome', async () => {
    // Prepare
    const request = new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/webhook?code=s3cret', body: { string: '{}' } });
    const init: InvocationContextInit = {
      functionName: 'webhook',
      traceContext: { traceParent: HOST_TRACE },
      options: { trigger: { type: 'httpTrigger', name: 'request', route: 'webhook', methods: ['POST'], authLevel: 'anonymous' }, extraInputs: [], extraOutputs: [] },
    };
    const hook = hookFor(init, () => ({ status: 401, jsonBody: { error: 'InvalidToken' } }), [request]);

    // Act
    instrumentInvocation(memory.telemetry, hook);
    await run(hook, request, hook.invocationContext);

    // Assess
    const { spans, metrics } = await memory.collect();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.name).toBe('POST /api/webhook');
    expect(spans[0]?.spanContext().traceId).toBe('11111111111111111111111111111111');
    expect(spans[0]?.parentSpanContext?.spanId).toBe('2222222222222222');
    expect(spans[0]?.attributes).toMatchObject({ 'http.route': '/api/webhook', 'http.response.status_code': 401, 'faas.invocation_id': 'inv-1' });
    expect(JSON.stringify(spans[0]?.attributes)).not.toContain('s3cret');
    expect(counterValue(metrics, 'webhook.received', { outcome: 'unauthorized' })).toBe(1);
  });

  it('parents a queue invocation to the trace context of its envelope, links the host context, and counts the result', async () => {
    // Prepare
    const message = { operationId: 'op-1', subscriptionId: 'sub-1', action: 'ChangePlan', traceparent: SENDER_TRACE };
    const hook = hookFor(queueInit('processOperation', 'operations'), () => ({ outcome: 'completed', acknowledgement: { sent: 'Success' } }), [message]);

    // Act
    instrumentInvocation(memory.telemetry, hook);
    await run(hook, message, hook.invocationContext);

    // Assess
    const { spans, metrics } = await memory.collect();
    expect(spans[0]?.name).toBe('process operations');
    expect(spans[0]?.spanContext().traceId).toBe('33333333333333333333333333333333');
    expect(spans[0]?.parentSpanContext?.spanId).toBe('4444444444444444');
    expect(spans[0]?.links.map((link) => link.context.spanId)).toEqual(['2222222222222222']);
    expect(counterValue(metrics, 'operation.processed', { action: 'ChangePlan', outcome: 'completed' })).toBe(1);
    const delay = metrics.at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'operation.ack_delay');
    expect(delay?.dataPoints[0]?.attributes).toEqual({ action: 'ChangePlan' });
    expect((delay?.dataPoints[0]?.value as { sum: number }).sum).toBeGreaterThanOrEqual(1_500);
  });

  it('processes a message without trace context under the host context', async () => {
    // Prepare
    const message = { subscriptionId: 'sub-1', planId: 'gold', requestId: 'r-1', requestedAt: new Date(Date.now() - 3_000).toISOString() };
    const seen: unknown[] = [];
    const hook = hookFor(queueInit('activateSubscription', 'activations'), ((input: unknown) => {
      seen.push(input);
      return Promise.resolve({ outcome: 'activated' });
    }), [message]);

    // Act
    instrumentInvocation(memory.telemetry, hook);
    await run(hook, message, hook.invocationContext);

    // Assess
    const { spans, metrics } = await memory.collect();
    expect(seen).toEqual([message]);
    expect(spans[0]?.spanContext().traceId).toBe('11111111111111111111111111111111');
    expect(spans[0]?.links).toEqual([]);
    expect(counterValue(metrics, 'activation.completed', { outcome: 'activated' })).toBe(1);
    const duration = metrics.at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'activation.duration');
    expect((duration?.dataPoints[0]?.value as { sum: number }).sum).toBeGreaterThanOrEqual(3_000);
  });

  it('counts a message that fails its last attempt as poisoned, and rethrows', async () => {
    // Prepare
    const failure = new Error('storage down');
    const hook = hookFor(queueInit('trackPublisherOperation', 'publisher-operations', 5), () => Promise.reject(failure), [{}]);

    // Act
    instrumentInvocation(memory.telemetry, hook);
    const outcome = run(hook, {}, hook.invocationContext);

    // Assess
    await expect(outcome).rejects.toBe(failure);
    const { spans, metrics } = await memory.collect();
    expect(spans[0]?.status.code).toBe(2);
    expect(counterValue(metrics, 'queue.poisoned', { queue: 'publisher-operations' })).toBe(1);
  });

  it('does not count an earlier failed attempt as poisoned', async () => {
    // Prepare
    const hook = hookFor(queueInit('processOperation', 'operations', 2), () => Promise.reject(new Error('busy')), [{ action: 'Suspend' }]);

    // Act
    instrumentInvocation(memory.telemetry, hook);
    await run(hook, { action: 'Suspend' }, hook.invocationContext).catch(() => undefined);

    // Assess
    const { metrics } = await memory.collect();
    expect(counterValue(metrics, 'queue.poisoned')).toBe(0);
    expect(counterValue(metrics, 'operation.processed', { action: 'Suspend', outcome: 'failed' })).toBe(1);
  });

  it('counts usage results, emitted events, reconciliation drift and failed readiness checks from the reports', async () => {
    // Prepare
    const timer = (name: string): InvocationContextInit => ({
      functionName: name,
      options: { trigger: { type: 'timerTrigger', name: 'timer', schedule: '0 0 * * * *' }, extraInputs: [], extraOutputs: [] },
    });
    const http = (name: string): InvocationContextInit => ({
      functionName: name,
      options: { trigger: { type: 'httpTrigger', name: 'request', route: name, methods: ['POST'], authLevel: 'function' }, extraInputs: [], extraOutputs: [] },
    });
    const hooks = [
      hookFor(http('usageIngest'), () => ({ status: 207, jsonBody: { accepted: 3, duplicate: 1, unbilled: 0, rejected: 2, results: [] } }), [{}]),
      hookFor(timer('emitUsage'), () => ({ emitted: 4, duplicates: 1, rejected: 1 }), [{}]),
      hookFor(timer('reconcileSubscriptions'), () => ({ repaired: 2, imported: 1, failed: 1 }), [{}]),
      hookFor(http('healthReady'), () => ({ status: 503, jsonBody: { status: 'unready', failing: ['tables', 'marketplaceToken'], checks: [] } }), [{}]),
    ];

    // Act
    for (const hook of hooks) {
      instrumentInvocation(memory.telemetry, hook);
      await run(hook, {}, hook.invocationContext);
    }

    // Assess
    const { metrics } = await memory.collect();
    expect(counterValue(metrics, 'usage.records_ingested', { result: 'accepted' })).toBe(3);
    expect(counterValue(metrics, 'usage.records_ingested', { result: 'rejected' })).toBe(2);
    expect(counterValue(metrics, 'usage.events_emitted', { result: 'accepted' })).toBe(4);
    expect(counterValue(metrics, 'usage.events_emitted', { result: 'duplicate' })).toBe(1);
    expect(counterValue(metrics, 'reconciliation.drift', { kind: 'found' })).toBe(4);
    expect(counterValue(metrics, 'reconciliation.drift', { kind: 'repaired' })).toBe(3);
    expect(counterValue(metrics, 'readiness.check_failed', { check: 'marketplaceToken' })).toBe(1);
    expect(counterValue(metrics, 'readiness.check_failed')).toBe(2);
  });
});
