/**
 * Every queue the app uses, in one place, so that producers (through `createQueue`) and the queue
 * triggers registered in `functions/` cannot disagree on a name.
 */
export const QUEUE_NAMES = {
  /** Purchases resolved on the landing page, waiting for Activate. */
  activations: 'activations',
  /** Marketplace webhook operations accepted by the webhook, waiting to be processed. */
  operations: 'operations',
  /** Publisher-initiated changes (change plan/quantity, cancel) whose marketplace operation is being polled to a final status. */
  publisherOperations: 'publisher-operations',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** Azure queue names: 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name);
}

/** The queue the Functions host moves a message to after `maxDequeueCount` failed attempts. */
export function poisonQueueName(name: string): string {
  return `${name}-poison`;
}

/**
 * host.json `extensions.queues.maxDequeueCount`: after this many failed deliveries the host moves
 * the message to the poison queue. A unit test keeps the two in step.
 */
export const MAX_DEQUEUE_COUNT = 5;

/** The attempt number of a queue delivery, from `context.triggerMetadata.dequeueCount` (0 when absent). */
export function dequeueCountOf(triggerMetadata: Record<string, unknown> | undefined): number {
  const value = triggerMetadata?.dequeueCount;
  const count = typeof value === 'string' ? Number(value) : value;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : 0;
}
