import type { QueueClient } from '@azure/storage-queue';
import { DependencyUnavailableError } from '../errors';
import { checkSendOptions, encodeQueueMessage, type MessageQueue, type SendOptions, type SentMessage } from './messageQueue';
import { isValidQueueName } from './queueNames';
import { isCreateForbidden } from './storageSettings';
import { isStorageUnavailable } from './tableErrors';

function translateQueueError(error: unknown, queue: string): unknown {
  if (isStorageUnavailable(error)) {
    return new DependencyUnavailableError('queue-storage', `Queue Storage failed on queue ${queue}`, { cause: error });
  }
  return error;
}

/**
 * MessageQueue over `@azure/storage-queue`. The first send creates the queue if missing (memoized
 * per instance; a 403 means "may send but not create", so the queue is assumed to exist).
 */
export class StorageMessageQueue<T> implements MessageQueue<T> {
  private created: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {
    if (!isValidQueueName(client.name)) throw new TypeError(`"${client.name}" is not a valid queue name`);
  }

  get name(): string {
    return this.client.name;
  }

  async send(message: T, options: SendOptions = {}): Promise<SentMessage> {
    const text = encodeQueueMessage(message);
    const { visibilityDelaySeconds, timeToLiveSeconds } = checkSendOptions(options);
    try {
      await this.ensureQueue();
      const response = await this.client.sendMessage(text, {
        visibilityTimeout: visibilityDelaySeconds,
        messageTimeToLive: timeToLiveSeconds,
      });
      return { messageId: response.messageId };
    } catch (error) {
      throw translateQueueError(error, this.client.name);
    }
  }

  private ensureQueue(): Promise<unknown> {
    this.created ??= this.client.createIfNotExists().catch((error: unknown) => {
      if (isCreateForbidden(error)) return;
      this.created = undefined;
      throw error;
    });
    return this.created;
  }
}
