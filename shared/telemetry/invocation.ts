import type { InvocationContext } from '@azure/functions';
import { dequeueCountOf, MAX_DEQUEUE_COUNT } from '../storage/queueNames';
import { recordInvocationMetrics } from './invocationMetrics';
import { scopeInvocation } from './invocationScope';
import { endWhenSettled, type SpanOptions, type Telemetry, type TraceCarrier, traceCarrierOf } from './telemetry';

/** What a `preInvocation` hook receives (`PreInvocationContext` of @azure/functions), narrowed. */
export interface InvocationHookContext {
  invocationContext: InvocationContext;
  inputs: unknown[];
  functionHandler: (...args: never[]) => unknown;
}

interface SpanPlan {
  name: string;
  options: SpanOptions;
}

/**
 * The handler wrapper for every trigger, installed by a `preInvocation` hook (functions/telemetry.ts):
 * one span per invocation, parented to the host's `traceContext` (HTTP, timers) or to the trace
 * context in our queue envelope (queue triggers; the host's context is then a link), plus the
 * contract metrics that follow from the invocation's result. The invocation's telemetry, scoped to
 * that span, is recorded for its InvocationContext (invocationScope.ts): the composition root gives
 * the invocation's adapters that telemetry, so their spans and log records join the invocation's
 * trace. Without telemetry nothing is wrapped.
 */
export function instrumentInvocation(telemetry: Telemetry, hook: InvocationHookContext): void {
  if (!telemetry.enabled) return;
  const invocation = hook.invocationContext;
  const original = hook.functionHandler as (...args: unknown[]) => unknown;
  const plan = planSpan(invocation, hook.inputs[0]);
  const wrapped = (...args: unknown[]): Promise<unknown> => {
    const span = telemetry.startSpan(plan.name, plan.options);
    scopeInvocation(invocation, span.telemetry);
    const input = args[0];
    return endWhenSettled(
      span,
      () => Promise.resolve(original(...args)),
      (result) => {
        const status = httpStatusOf(result);
        if (status !== undefined) {
          span.setAttributes({ 'http.response.status_code': status });
          if (status >= 500) span.fail(`HTTP ${status}`);
        }
        recordInvocationMetrics(telemetry, invocation, input, { result });
      },
      (error) => {
        recordInvocationMetrics(telemetry, invocation, input, { error });
        if (isLastAttempt(invocation)) telemetry.count('queue.poisoned', { queue: queueNameOf(invocation) });
      },
    );
  };
  hook.functionHandler = wrapped;
}

function planSpan(invocation: InvocationContext, input: unknown): SpanPlan {
  const trigger = invocation.options.trigger;
  const hostContext = hostCarrier(invocation);
  // Each trigger's attributes written out in one literal (no common part spread into each): one object per invocation.
  if (trigger.type === 'httpTrigger') {
    const method = (input as { method?: string } | undefined)?.method ?? 'GET';
    const route = `/api/${typeof trigger.route === 'string' ? trigger.route : invocation.functionName}`;
    return {
      name: `${method} ${route}`,
      options: { kind: 'server', parent: hostContext, attributes: { 'faas.name': invocation.functionName, 'faas.invocation_id': invocation.invocationId, 'faas.trigger': 'http', 'http.request.method': method, 'http.route': route } },
    };
  }
  if (trigger.type === 'queueTrigger') {
    const queue = queueNameOf(invocation);
    const envelope = traceCarrierOf(input);
    const metadata = invocation.triggerMetadata ?? {};
    return {
      name: `process ${queue}`,
      options: {
        kind: 'consumer',
        parent: envelope ?? hostContext,
        links: envelope !== undefined && hostContext !== undefined ? [hostContext] : [],
        attributes: {
          'faas.name': invocation.functionName,
          'faas.invocation_id': invocation.invocationId,
          'faas.trigger': 'pubsub',
          'messaging.system': 'azure_storage_queues',
          'messaging.operation.type': 'process',
          'messaging.destination.name': queue,
          'messaging.message.id': typeof metadata.id === 'string' ? metadata.id : undefined,
          'messaging.delivery_count': dequeueCountOf(invocation.triggerMetadata),
        },
      },
    };
  }
  return { name: invocation.functionName, options: { kind: 'internal', parent: hostContext, attributes: { 'faas.name': invocation.functionName, 'faas.invocation_id': invocation.invocationId, 'faas.trigger': trigger.type === 'timerTrigger' ? 'timer' : 'other' } } };
}

/**
 * The host's trace context as a carrier, as it is: it is parsed and checked once, where the span
 * starts (a malformed one then starts a new trace, and is no link).
 */
function hostCarrier(invocation: InvocationContext): TraceCarrier | undefined {
  const context = invocation.traceContext;
  const traceparent = context?.traceParent;
  if (typeof traceparent !== 'string' || traceparent === '') return undefined;
  const tracestate = context?.traceState;
  return typeof tracestate === 'string' && tracestate !== '' ? { traceparent, tracestate } : { traceparent };
}

export function queueNameOf(invocation: InvocationContext): string {
  const name: unknown = invocation.options.trigger.queueName;
  return typeof name === 'string' ? name : invocation.functionName;
}

/** A queue message that fails now goes to `<queue>-poison` (host.json maxDequeueCount). */
function isLastAttempt(invocation: InvocationContext): boolean {
  if (invocation.options.trigger.type !== 'queueTrigger') return false;
  return dequeueCountOf(invocation.triggerMetadata) >= MAX_DEQUEUE_COUNT;
}

function httpStatusOf(result: unknown): number | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const status = (result as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}
