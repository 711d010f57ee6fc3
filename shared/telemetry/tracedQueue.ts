import type { MessageQueue } from '../storage/messageQueue';
import { type SpanOptions, type Telemetry, withTraceCarrier } from './telemetry';

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
  // The same for every send: built once per wrapper.
  const spanName = `send ${queue.name}`;
  const spanOptions: SpanOptions = {
    kind: 'producer',
    attributes: { 'messaging.system': 'azure_storage_queues', 'messaging.operation.type': 'send', 'messaging.destination.name': queue.name },
  };
  return {
    name: queue.name,
    send: (message, options) =>
      telemetry.inSpan(spanName, spanOptions, (span) =>
        // A callback rather than an async function: no promise of its own per send.
        queue.send(withTraceCarrier(span.telemetry, message), options).then((sent) => {
          span.setAttributes({ 'messaging.message.id': sent.messageId });
          return sent;
        }),
      ),
  };
}
