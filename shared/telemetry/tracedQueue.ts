import type { MessageQueue } from '../storage/messageQueue';
import { endWhenSettled, type SpanOptions, type Telemetry, withTraceCarrier } from './telemetry';

/**
 * A queue whose sends are producer spans (children of `telemetry`'s scope: one invocation's wrapper)
 * and whose messages carry that span's trace context (`traceparent`, `tracestate` in the JSON
 * envelope; storage queues have no headers). Consumers parse messages with zod object schemas, which
 * drop the two extra properties; messages without them (sent before this, or replayed from a poison
 * queue) simply start a new trace. Without telemetry the queue is returned as it is. A thin wrapper:
 * the queue client underneath is the process's.
 */
export function tracedQueue<T>(queue: MessageQueue<T>, telemetry: Telemetry): MessageQueue<T> {
  if (!telemetry.enabled) return queue;
  const { spanName, spanOptions } = sendSpanOf(queue.name);
  return {
    name: queue.name,
    send: (message, options) => {
      const span = telemetry.startSpan(spanName, spanOptions);
      return endWhenSettled(
        span,
        () => queue.send(withTraceCarrier(span.telemetry, message), options),
        (sent) => span.setAttributes({ 'messaging.message.id': sent.messageId }),
      );
    },
  };
}

/** The span of a send to each queue: the same for every send, built once per queue name. */
const sendSpans = new Map<string, { spanName: string; spanOptions: SpanOptions }>();

function sendSpanOf(name: string): { spanName: string; spanOptions: SpanOptions } {
  let found = sendSpans.get(name);
  if (found === undefined) {
    found = {
      spanName: `send ${name}`,
      spanOptions: { kind: 'producer', attributes: { 'messaging.system': 'azure_storage_queues', 'messaging.operation.type': 'send', 'messaging.destination.name': name } },
    };
    sendSpans.set(name, found);
  }
  return found;
}
