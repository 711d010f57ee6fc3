import { createInMemoryTelemetry, type InMemoryTelemetry } from '../../../dev/inMemoryTelemetry';
import { SIGNATURE_HEADER, verifySignature } from '../../../shared/isv/signature';
import { buildIsvEvent, NOW, SECRET, setupHooks, type HooksSetup } from './isvTestSupport';

describe('ISV hooks: telemetry', () => {
  let setup: HooksSetup;
  let memory: InMemoryTelemetry;

  beforeEach(async () => {
    memory = createInMemoryTelemetry();
    setup = await setupHooks();
  });

  afterEach(async () => {
    await setup.receiver.close();
    await memory.telemetry.shutdown();
  });

  it('sends the trace context as CloudEvents distributed-tracing attributes, signed with the body, from a client span', async () => {
    // Prepare
    const event = buildIsvEvent();

    // Act: the hooks of the consumer span's scope (as the composition root gives an invocation)
    await memory.telemetry.inSpan('process activations', { kind: 'consumer' }, (span) => setup.hooksFor(span.telemetry).provision(event));

    // Assess
    const [received] = setup.receiver.events;
    const body = JSON.parse(received!.rawBody) as { traceparent?: string; id: string };
    const { spans } = await memory.collect();
    const client = spans.find((span) => span.name === 'POST isv saas.subscription.provision');
    expect(body.traceparent).toBe(`00-${client?.spanContext().traceId}-${client?.spanContext().spanId}-01`);
    expect(body.id).toBe(event.id);
    expect(client?.parentSpanContext?.spanId).toBe(spans.find((span) => span.name === 'process activations')?.spanContext().spanId);
    expect(client?.attributes).toMatchObject({ 'cloudevents.event_id': event.id, 'http.response.status_code': 200 });
    expect(received?.signature).toEqual({ valid: true });
    const header = received!.headers[SIGNATURE_HEADER.toLowerCase()];
    expect(verifySignature({ payload: received!.rawBody, header, secrets: [SECRET], now: new Date(NOW) })).toEqual({ timestamp: Date.parse(NOW) / 1000 });
  });
});
