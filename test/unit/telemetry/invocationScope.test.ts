import { InvocationContext, type InvocationContextInit } from '@azure/functions';
import { loggerFromContext } from '../../../shared/logging';
import { instrumentInvocation, invocationTelemetry, noTelemetry, traceCarrierOf, withTraceCarrier, type InvocationHookContext } from '../../../shared/telemetry';
import { inMemoryTelemetryPerTest } from '../../support/telemetry';

const HTTP: InvocationContextInit['options'] = { trigger: { type: 'httpTrigger', name: 'request', route: 'webhook', methods: ['POST'], authLevel: 'anonymous' }, extraInputs: [], extraOutputs: [] };

function invocation(invocationId: string, traceParent: string): InvocationContext {
  return new InvocationContext({ invocationId, functionName: 'webhook', logHandler: () => undefined, traceContext: { traceParent }, options: HTTP });
}

/** A promise and the function that settles it: lets a test decide the order in which awaits resume. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('invocation scope (explicit trace context, no AsyncLocalStorage)', () => {
  const memory = inMemoryTelemetryPerTest();

  it('keeps the spans, envelopes and log records of two interleaved invocations in their own traces', async () => {
    // Prepare: A starts, B starts, A sends after B started, B sends and logs, then A logs.
    const { telemetry } = memory;
    const a = invocation('inv-a', '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1111111111111111-01');
    const b = invocation('inv-b', '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-2222222222222222-01');
    const bStarted = gate();
    const bDone = gate();
    const envelopes = new Map<string, unknown>();
    const handler = async (_input: unknown, context: InvocationContext): Promise<{ status: number }> => {
      const scoped = invocationTelemetry(telemetry, context);
      const logger = loggerFromContext(context, { telemetry: scoped });
      if (context === a) await bStarted.opened;
      else bStarted.open();
      const envelope = await scoped.inSpan('send operations', { kind: 'producer' }, async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return withTraceCarrier(span.telemetry, { operationId: context.invocationId });
      });
      envelopes.set(context.invocationId, envelope);
      if (context === a) await bDone.opened;
      logger.info('operation recorded', { operationId: context.invocationId });
      if (context === b) bDone.open();
      return { status: 200 };
    };
    const hooks: InvocationHookContext[] = [a, b].map((context) => ({ invocationContext: context, inputs: [{ method: 'POST' }], functionHandler: handler }));
    for (const hook of hooks) instrumentInvocation(telemetry, hook);

    // Act
    await Promise.all(hooks.map((hook) => (hook.functionHandler as typeof handler)(hook.inputs[0], hook.invocationContext)));

    // Assess
    const { spans, logs } = await memory.collect();
    for (const [context, traceId] of [
      [a, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      [b, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'],
    ] as const) {
      const trace = spans.filter((span) => span.spanContext().traceId === traceId);
      const root = trace.find((span) => span.name === 'POST /api/webhook');
      const send = trace.find((span) => span.name === 'send operations');
      expect(trace).toHaveLength(2);
      expect(root?.attributes['faas.invocation_id']).toBe(context.invocationId);
      expect(send?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
      expect(traceCarrierOf(envelopes.get(context.invocationId))?.traceparent).toBe(`00-${traceId}-${send?.spanContext().spanId}-01`);
      const record = logs.find((log) => log.attributes.invocationId === context.invocationId);
      expect(record?.spanContext?.traceId).toBe(traceId);
      expect(record?.spanContext?.spanId).toBe(root?.spanContext().spanId);
    }
    expect(spans).toHaveLength(4);
  });

  it('makes a span outside any invocation a root, even while an invocation is running', async () => {
    // Prepare
    const { telemetry } = memory;
    const running = invocation('inv-r', '00-cccccccccccccccccccccccccccccccc-3333333333333333-01');
    const notInstrumented = new InvocationContext({ invocationId: 'inv-x', functionName: 'healthReady', logHandler: () => undefined });
    const inside = gate();
    const finish = gate();
    const handler = async (): Promise<void> => {
      inside.open();
      await finish.opened;
    };
    const hook: InvocationHookContext = { invocationContext: running, inputs: [{ method: 'POST' }], functionHandler: handler };
    instrumentInvocation(telemetry, hook);
    const invoked = (hook.functionHandler as () => Promise<void>)();
    await inside.opened;

    // Act: timer or start-up code, and an invocation nobody wrapped, while the invocation awaits
    const carrier = await telemetry.inSpan('startup check', { kind: 'client' }, (span) => Promise.resolve(span.telemetry.currentCarrier()));
    await invocationTelemetry(telemetry, notInstrumented).inSpan('unwrapped call', { kind: 'client' }, () => Promise.resolve());
    loggerFromContext(notInstrumented, { telemetry: invocationTelemetry(telemetry, notInstrumented) }).info('outside');
    finish.open();
    await invoked;

    // Assess
    const { spans, logs } = await memory.collect();
    const startup = spans.find((span) => span.name === 'startup check');
    const unwrapped = spans.find((span) => span.name === 'unwrapped call');
    expect(startup?.parentSpanContext).toBeUndefined();
    expect(unwrapped?.parentSpanContext).toBeUndefined();
    expect(startup?.spanContext().traceId).not.toBe('cccccccccccccccccccccccccccccccc');
    expect(unwrapped?.spanContext().traceId).not.toBe('cccccccccccccccccccccccccccccccc');
    expect(carrier?.traceparent).toBe(`00-${startup?.spanContext().traceId}-${startup?.spanContext().spanId}-01`);
    expect(telemetry.currentCarrier()).toBeUndefined();
    expect(logs.find((log) => log.body === 'outside')?.spanContext).toBeUndefined();
  });

  it('gives the telemetry itself for an invocation without a span, and noTelemetry without looking anything up', () => {
    // Prepare
    const context = invocation('inv-n', '00-dddddddddddddddddddddddddddddddd-4444444444444444-01');

    // Act
    const withoutSpan = invocationTelemetry(memory.telemetry, context);
    const disabled = invocationTelemetry(noTelemetry, context);

    // Assess
    expect(withoutSpan).toBe(memory.telemetry);
    expect(disabled).toBe(noTelemetry);
  });
});
