import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { Logger } from '../../shared/logging';
import { createBackoff } from './backoff';
import type { RpcInvocationResponse } from './coreTypes';
import { connectionOf, stringOption, type HostFunction } from './functionIndex';
import type { QueueSettings } from './hostConfig';
import type { Invoker } from './invoker';
import { decodeMessageText, poisonQueueName, queueTriggerMetadata } from './queueMessages';
import type { QueueStorage } from './queueStorage';

export interface QueueListenerOptions {
  fn: HostFunction;
  invoker: Invoker;
  storage: QueueStorage;
  settings: QueueSettings;
  /** Visibility lease taken when receiving, renewed at half-time while the function runs (host: 10 min). */
  leaseMs: number;
  logger: Logger;
  /** Delivers the invocation's output bindings; a rejection counts as a failed invocation. */
  sendOutputs(fn: HostFunction, response: RpcInvocationResponse): Promise<unknown>;
}

export interface QueueListener {
  readonly functionName: string;
  readonly connection: string;
  readonly queueName: string;
  start(): void;
  /** Poll now (a message was just written to this queue by this host). */
  wake(): void;
  /** Stops polling; messages already received still finish. */
  stop(): void;
  /** Resolves when the loop has ended and every received message has been completed. */
  drained(): Promise<void>;
}

/** One polling loop per queue-triggered function, with the Storage Queues extension's semantics. */
export function createQueueListener(options: QueueListenerOptions): QueueListener {
  const { fn, invoker, storage, settings, logger } = options;
  const connection = connectionOf(fn.trigger);
  const queueName = storage.queueNameOf(stringOption(fn.trigger, 'queueName') ?? '');
  const poisonName = poisonQueueName(queueName);
  const leaseSeconds = Math.max(1, Math.ceil(options.leaseMs / 1000));
  const releaseSeconds = Math.ceil(settings.visibilityTimeoutMs / 1000);
  const backoff = createBackoff({ minimumMs: 100, maximumMs: settings.maxPollingIntervalMs });
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  const fields = { functionName: fn.name, queueName };
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();
  let interrupt: (() => void) | undefined;

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = done;
    });

  const poison = async (client: QueueClient, message: DequeuedMessageItem, popReceipt: string, reason: string): Promise<void> => {
    const details = { ...fields, messageId: message.messageId, dequeueCount: message.dequeueCount, reason };
    if (!poisonName) {
      logger.error('poison message left invisible: no poison queue for this queue', details);
      return;
    }
    const poisonQueue = await storage.queue(connection, poisonName);
    await poisonQueue.sendMessage(message.messageText);
    await client.deleteMessage(message.messageId, popReceipt);
    logger.warn('message moved to poison queue', { ...details, poisonQueue: poisonName });
  };

  const handleMessage = async (client: QueueClient, message: DequeuedMessageItem): Promise<void> => {
    const lease = { popReceipt: message.popReceipt };
    if (message.dequeueCount > settings.maxDequeueCount) {
      await poison(client, message, lease.popReceipt, 'dequeue count above maxDequeueCount');
      return;
    }
    const text = decodeMessageText(message.messageText, settings.messageEncoding);
    if (text === undefined) {
      await poison(client, message, lease.popReceipt, 'message is not valid base64');
      return;
    }
    const renewal = renewLease(client, message.messageId, lease, leaseSeconds, logger);
    let succeeded = false;
    try {
      const response = await invoker.invoke(fn, {
        triggerData: { string: text },
        triggerMetadata: queueTriggerMetadata(message, text),
        details: { queueName, messageId: message.messageId, dequeueCount: message.dequeueCount },
      });
      await options.sendOutputs(fn, response);
      succeeded = true;
    } catch {
      // The invoker has logged the failure; the message is retried or poisoned below.
    } finally {
      await renewal.stop();
    }
    if (succeeded) {
      await client.deleteMessage(message.messageId, lease.popReceipt);
    } else if (!poisonName) {
      // As the extension does without a poison queue: stay invisible until the lease ends (no hot loop).
      logger.warn('failed message left invisible until its lease ends', { ...fields, messageId: message.messageId });
    } else if (message.dequeueCount >= settings.maxDequeueCount) {
      await poison(client, message, lease.popReceipt, 'failed maxDequeueCount times');
    } else {
      await client.updateMessage(message.messageId, lease.popReceipt, undefined, releaseSeconds);
    }
  };

  const track = (client: QueueClient, message: DequeuedMessageItem): void => {
    const promise = handleMessage(client, message)
      .catch((error: unknown) => logger.error('queue message completion failed', { ...fields, messageId: message.messageId, error }))
      .finally(() => {
        inFlight.delete(promise);
        interrupt?.();
      });
    inFlight.add(promise);
  };

  const loop = async (): Promise<void> => {
    let client: QueueClient | undefined;
    while (!stopping) {
      try {
        client ??= await storage.queue(connection, queueName);
        const capacity = settings.batchSize - inFlight.size;
        if (inFlight.size > settings.newBatchThreshold || capacity < 1) {
          await pause(settings.maxPollingIntervalMs);
          continue;
        }
        const received = await client.receiveMessages({
          numberOfMessages: capacity,
          visibilityTimeout: leaseSeconds,
          abortSignal: abort.signal,
        });
        if (received.receivedMessageItems.length === 0) {
          await pause(backoff.next());
          continue;
        }
        backoff.reset();
        for (const message of received.receivedMessageItems) track(client, message);
      } catch (error) {
        if (stopping) break;
        logger.warn('queue poll failed', { ...fields, error });
        await pause(backoff.next());
      }
    }
  };

  return {
    functionName: fn.name,
    connection,
    queueName,
    start() {
      logger.debug('queue listener started', fields);
      loopDone = loop();
    },
    wake() {
      backoff.reset();
      interrupt?.();
    },
    stop() {
      stopping = true;
      abort.abort();
      interrupt?.();
    },
    async drained() {
      await loopDone;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Keeps a received message invisible while its function runs (the extension renews at half the lease). */
function renewLease(
  client: QueueClient,
  messageId: string,
  lease: { popReceipt: string },
  leaseSeconds: number,
  logger: Logger,
): { stop(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending
      .then(async () => {
        const result = await client.updateMessage(messageId, lease.popReceipt, undefined, leaseSeconds);
        if (result.popReceipt) lease.popReceipt = result.popReceipt;
      })
      .catch((error: unknown) => logger.warn('queue message lease renewal failed', { messageId, error }));
  }, (leaseSeconds * 1000) / 2);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}
