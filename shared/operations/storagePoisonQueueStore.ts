import type { QueueClient } from '@azure/storage-queue';
import { DependencyUnavailableError } from '../errors';
import { createQueueClient, type StorageSettings } from '../storage/storageSettings';
import { isStorageUnavailable, storageStatus } from '../storage/tableErrors';
import type { PoisonMessage, PoisonQueueStore, ReceivedPoisonMessage } from './poisonQueue';

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

async function guarded<T>(queue: string, run: () => Promise<T>, ifMissing?: T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (ifMissing !== undefined && storageStatus(error) === 404) return ifMissing;
    if (isStorageUnavailable(error)) throw new DependencyUnavailableError('queue-storage', `Queue Storage failed on queue ${queue}`, { cause: error });
    throw error;
  }
}

/** PoisonQueueStore over `@azure/storage-queue` (texts are moved as they are: no re-encoding). */
export function createStoragePoisonQueueStore(settings: StorageSettings): PoisonQueueStore {
  const clients = new Map<string, QueueClient>();
  const client = (queue: string): QueueClient => {
    let found = clients.get(queue);
    if (found === undefined) {
      found = createQueueClient(settings, queue);
      clients.set(queue, found);
    }
    return found;
  };
  return {
    approximateCount: (queue) => guarded(queue, async () => (await client(queue).getProperties()).approximateMessagesCount ?? 0, 0),
    peek: (queue, max) =>
      guarded(
        queue,
        async () =>
          (await client(queue).peekMessages({ numberOfMessages: max })).peekedMessageItems.map(
            (m): PoisonMessage => ({ messageId: m.messageId, insertedOn: iso(m.insertedOn), expiresOn: iso(m.expiresOn), dequeueCount: m.dequeueCount, messageText: m.messageText }),
          ),
        [],
      ),
    receive: (queue, max, visibilitySeconds) =>
      guarded(
        queue,
        async () =>
          (await client(queue).receiveMessages({ numberOfMessages: max, visibilityTimeout: visibilitySeconds })).receivedMessageItems.map(
            (m): ReceivedPoisonMessage => ({
              messageId: m.messageId,
              popReceipt: m.popReceipt,
              insertedOn: iso(m.insertedOn),
              expiresOn: iso(m.expiresOn),
              dequeueCount: m.dequeueCount,
              messageText: m.messageText,
            }),
          ),
        [],
      ),
    sendRaw: (queue, text) =>
      guarded(queue, async () => {
        await client(queue).createIfNotExists();
        await client(queue).sendMessage(text);
      }),
    delete: (queue, message) => guarded(queue, async () => void (await client(queue).deleteMessage(message.messageId, message.popReceipt))),
    release: (queue, message) => guarded(queue, async () => void (await client(queue).updateMessage(message.messageId, message.popReceipt, undefined, 0))),
  };
}
