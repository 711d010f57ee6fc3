import { InvocationContext } from '@azure/functions';
import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { spanContextFromCarrier } from '../../../shared/telemetry/openTelemetry';
import { createInMemoryTelemetry } from '../../../dev/inMemoryTelemetry';
import { loggerFromContext } from '../../../shared/logging';
import { noTelemetry, traceCarrierOf, withTraceCarrier, type TraceCarrier } from '../../../shared/telemetry';
import { counterValue, inMemoryTelemetryPerTest } from '../../support/telemetry';

describe('OpenTelemetry telemetry', () => {
  const memory = inMemoryTelemetryPerTest();

  it('nests spans through their scoped telemetry across async calls and hands the scope span\'s context to envelopes', async () => {
    // Prepare
    const { telemetry } = memory;

    // Act
    const envelope = await telemetry.inSpan('outer', { kind: 'server' }, (outerSpan) =>
      outerSpan.telemetry.inSpan('inner', {}, async (innerSpan) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return withTraceCarrier(innerSpan.telemetry, { operationId: 'op-1' });
      }),
    );
    await telemetry.inSpan('consumer', { kind: 'consumer', parent: traceCarrierOf(envelope) }, () => Promise.resolve());

    // Assess
    const { spans } = await memory.collect();
    const byName = new Map(spans.map((span) => [span.name, span]));
    const outer = byName.get('outer')!;
    const inner = byName.get('inner')!;
    const consumer = byName.get('consumer')!;
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(consumer.parentSpanContext?.spanId).toBe(inner.spanContext().spanId);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(envelope).toEqual({ operationId: 'op-1', traceparent: `00-${outer.spanContext().traceId}-${inner.spanContext().spanId}-01` });
  });

  it('marks a span failed with a redacted reason when its work throws, and rethrows', async () => {
    // Prepare
    const failure = new Error('refused for jane@contoso.example with Bearer abc.def');

    // Act
    const outcome = memory.telemetry.inSpan('failing', {}, () => Promise.reject(failure));

    // Assess
    await expect(outcome).rejects.toBe(failure);
    const { spans } = await memory.collect();
    expect(spans[0]?.status).toEqual({ code: 2, message: 'Error: refused for [email] with Bearer [REDACTED]' });
  });

  it('ends the span failed, once, when its work throws before returning a promise, and passes the same error on', async () => {
    // Prepare
    const failure = new TypeError('not a function');

    // Act
    const outcome = memory.telemetry.inSpan('throwing', { kind: 'producer' }, () => {
      throw failure;
    });

    // Assess
    await expect(outcome).rejects.toBe(failure);
    const { spans } = await memory.collect();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.status).toEqual({ code: 2, message: 'TypeError: not a function' });
    expect(spans[0]?.attributes['error.type']).toBe('TypeError');
    expect(spans[0]?.ended).toBe(true);
  });

  it('redacts secrets in span, metric and log attributes, drops undefined values and leaves the caller\'s objects untouched', async () => {
    // Prepare
    const start = { 'user.note': 'sent to jane@contoso.example', 'faas.name': 'webhook', 'absent': undefined, 'attempt': 2 };
    const later = { 'http.request.header': 'Bearer abc.def', 'sas': 'https://x.example/q?sig=s3cr3t&sv=1', 'missing': undefined };
    const metric = { check: 'token=abc123', retried: false };
    const fields = { operationId: 'op-1', owner: 'jane@contoso.example', detail: { plan: 'gold' }, gone: null, skipped: undefined };
    const copies = JSON.stringify([start, later, metric, fields]);

    // Act
    await memory.telemetry.inSpan('request', { kind: 'server', attributes: start }, (span) => {
      span.setAttributes(later);
      memory.telemetry.count('readiness.check_failed', metric);
      memory.telemetry.log('info', 'recorded', fields);
      return Promise.resolve();
    });

    // Assess
    const { spans, metrics, logs } = await memory.collect();
    expect(spans[0]?.attributes).toEqual({
      'user.note': 'sent to [email]',
      'faas.name': 'webhook',
      'attempt': 2,
      'http.request.header': 'Bearer [REDACTED]',
      'sas': 'https://x.example/q?sig=[REDACTED]&sv=1',
    });
    expect(counterValue(metrics, 'readiness.check_failed', { check: 'token=[REDACTED]', retried: false })).toBe(1);
    expect(counterValue(metrics, 'readiness.check_failed', { check: 'token=abc123' })).toBe(0);
    expect(logs[0]?.attributes).toEqual({ operationId: 'op-1', owner: 'jane@contoso.example', detail: '{"plan":"gold"}' });
    expect(JSON.stringify([start, later, metric, fields])).toBe(copies);
  });

  it('records the contract metrics under their names and attributes', async () => {
    // Act
    memory.telemetry.count('marketplace.calls', { method: 'GET', route: '/saas/subscriptions/{subscriptionId}', status: '200', retried: false });
    memory.telemetry.count('marketplace.calls', { method: 'GET', route: '/saas/subscriptions/{subscriptionId}', status: '200', retried: false });
    memory.telemetry.record('operation.ack_delay', 1_250, { action: 'ChangePlan' });

    // Assess
    const { metrics } = await memory.collect();
    expect(counterValue(metrics, 'marketplace.calls', { status: '200', retried: false })).toBe(2);
    const names = metrics.at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => [scope.scope.name, metric.descriptor.name, metric.descriptor.unit]));
    expect(names).toEqual(expect.arrayContaining([['saas-fulfillment', 'operation.ack_delay', 'ms']]));
  });

  it('exports each log entry as a record whose fields are attributes, inside the trace of its scope span', async () => {
    // Prepare
    const written: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-9', functionName: 'webhook', logHandler: (_level, ...args) => written.push(String(args[0])) });

    // Act
    await memory.telemetry.inSpan('request', {}, (span) => {
      const logger = loggerFromContext(context, { telemetry: span.telemetry, fields: { component: 'webhook' } });
      logger.info('operation recorded', { operationId: 'op-7', attempt: 2, detail: { plan: 'gold' } });
      return Promise.resolve();
    });

    // Assess
    const { logs, spans } = await memory.collect();
    expect(logs).toHaveLength(1);
    expect(logs[0]?.body).toBe('operation recorded');
    expect(logs[0]?.severityText).toBe('INFO');
    expect(logs[0]?.attributes).toEqual({ invocationId: 'inv-9', functionName: 'webhook', component: 'webhook', operationId: 'op-7', attempt: 2, detail: '{"plan":"gold"}' });
    expect(logs[0]?.spanContext?.traceId).toBe(spans[0]?.spanContext().traceId);
    expect(JSON.parse(written[0]!)).toEqual({ message: 'operation recorded', invocationId: 'inv-9', functionName: 'webhook', component: 'webhook', operationId: 'op-7', attempt: 2, detail: { plan: 'gold' } });
  });
});

describe('trace sampling (OTEL_TRACES_SAMPLER)', () => {
  const SPAN_ID = /^[0-9a-f]{16}$/;

  it('with traceidratio 0 records no span, still exports metrics and log records, and tells the next hop not to sample', async () => {
    // Prepare
    const memory = createInMemoryTelemetry({ sampler: { kind: 'traceidratio', ratio: 0 } });
    const { telemetry } = memory;
    const context = new InvocationContext({ invocationId: 'inv-3', functionName: 'webhook', logHandler: () => undefined });

    // Act
    const envelope = await telemetry.inSpan('request', { kind: 'server' }, (span) => {
      loggerFromContext(context, { telemetry: span.telemetry }).info('operation recorded', { operationId: 'op-3' });
      telemetry.count('webhook.received', { outcome: 'accepted' });
      return Promise.resolve(withTraceCarrier(span.telemetry, { operationId: 'op-3' }));
    });

    // Assess
    const { spans, logs, metrics } = await memory.collect();
    await telemetry.shutdown();
    expect(spans).toHaveLength(0);
    expect(logs).toHaveLength(1);
    expect(counterValue(metrics, 'webhook.received', { outcome: 'accepted' })).toBe(1);
    expect(traceCarrierOf(envelope)?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it('keeps or drops a trace whole across a queue hop with traceidratio', async () => {
    // Prepare: half of the traces; the consumer decides again from the same trace id.
    const memory = createInMemoryTelemetry({ sampler: { kind: 'traceidratio', ratio: 0.5 } });
    const { telemetry } = memory;

    // Act
    for (let i = 0; i < 40; i += 1) {
      const envelope = await telemetry.inSpan('send', { kind: 'producer' }, (span) => Promise.resolve(withTraceCarrier(span.telemetry, { i })));
      await telemetry.inSpan('process', { kind: 'consumer', parent: traceCarrierOf(envelope) }, () => Promise.resolve());
    }

    // Assess
    const { spans } = await memory.collect();
    await telemetry.shutdown();
    const sent = spans.filter((span) => span.name === 'send');
    const processed = spans.filter((span) => span.name === 'process');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(40);
    expect(processed.map((span) => span.parentSpanContext?.spanId).sort()).toEqual(sent.map((span) => span.spanContext().spanId).sort());
    expect(sent.every((span) => SPAN_ID.test(span.spanContext().spanId))).toBe(true);
  });
});

describe('noTelemetry', () => {
  it('runs the work, adds nothing to envelopes and has no context', async () => {
    // Act
    const result = await noTelemetry.inSpan('x', {}, () => Promise.resolve(withTraceCarrier(noTelemetry, { a: 1 })));

    // Assess
    expect(result).toEqual({ a: 1 });
    expect(noTelemetry.currentCarrier()).toBeUndefined();
  });

  it('hands its work a span whose scoped telemetry is noTelemetry itself', async () => {
    // Act
    const scoped = await noTelemetry.inSpan('x', {}, (span) => Promise.resolve(span.telemetry));

    // Assess
    expect(scoped).toBe(noTelemetry);
  });
});

describe('traceCarrierOf', () => {
  it.each([
    ['no trace context', { operationId: 'x' }, undefined],
    ['a malformed traceparent', { traceparent: 'nope' }, undefined],
    ['not an object', 'text', undefined],
    ['a valid one', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'a=b' }, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'a=b' }],
  ])('reads %s', (_label, value, expected) => {
    expect(traceCarrierOf(value)).toEqual(expected);
  });
});

describe('spanContextFromCarrier', () => {
  const propagator = new W3CTraceContextPropagator();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const carriers: TraceCarrier[] = [
    { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    { traceparent: `00-${traceId}-00f067aa0ba902b7-00`, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' },
    { traceparent: `01-${traceId}-00f067aa0ba902b7-01-future` },
    { traceparent: ` 00-${traceId}-00f067aa0ba902b7-01` },
    { traceparent: `00-${traceId}-00f067aa0ba902b7-01-extra` },
    { traceparent: `ff-${traceId}-00f067aa0ba902b7-01` },
    { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
    { traceparent: `00-${traceId}-${'0'.repeat(16)}-01` },
    { traceparent: `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01` },
    { traceparent: 'not a traceparent', tracestate: 'rojo=1' },
  ];

  it.each(carriers)('reads %j as W3CTraceContextPropagator.extract does', (carrier) => {
    // Act
    const ours = spanContextFromCarrier(carrier);
    const theirs = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { ...carrier }, defaultTextMapGetter));

    // Assess
    expect(ours === undefined).toBe(theirs === undefined);
    if (ours === undefined || theirs === undefined) return;
    expect({ ...ours, traceState: ours.traceState?.serialize() }).toEqual({ ...theirs, traceState: theirs.traceState?.serialize() });
    expect(ours.isRemote).toBe(true);
  });
});
