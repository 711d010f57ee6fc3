import { ConfigurationError } from '../errors';
import type { MessageQueue } from './messageQueue';
import { isValidQueueName } from './queueNames';
import { createQueueClient, type StorageSettings } from './storageSettings';
import { StorageMessageQueue } from './storageMessageQueue';

/**
 * A queue producer for `name` (use QUEUE_NAMES). No request is made until the first send, which
 * creates the queue if it is missing.
 */
export function createQueue<T>(settings: StorageSettings, name: string): MessageQueue<T> {
  if (!isValidQueueName(name)) {
    throw new ConfigurationError([`"${name}" is not a valid queue name (3–63 lowercase letters, digits and single hyphens)`]);
  }
  return new StorageMessageQueue<T>(createQueueClient(settings, name));
}
