import {
  checkSendOptions,
  decodeQueueMessage,
  encodeQueueMessage,
  type MessageQueue,
  type SendOptions,
  type SentMessage,
} from '../../shared/storage/messageQueue';
import { isValidQueueName } from '../../shared/storage/queueNames';

export interface RecordedMessage<T> {
  /** The message as a consumer will see it (after the base64 + JSON round trip). */
  message: T;
  /** The exact text that would be on the queue (base64 of the JSON). */
  text: string;
  options: SendOptions;
  messageId: string;
}

/**
 * A MessageQueue that records what was sent. It encodes and checks exactly like the Azure adapter
 * (so a message that cannot be sent for real fails here too) and keeps the decoded result.
 */
export class RecordingQueue<T> implements MessageQueue<T> {
  readonly sent: RecordedMessage<T>[] = [];

  constructor(readonly name = 'recording-queue') {
    if (!isValidQueueName(name)) throw new TypeError(`"${name}" is not a valid queue name`);
  }

  async send(message: T, options: SendOptions = {}): Promise<SentMessage> {
    await Promise.resolve();
    const text = encodeQueueMessage(message);
    checkSendOptions(options);
    const messageId = `${this.name}-${this.sent.length + 1}`;
    this.sent.push({ message: decodeQueueMessage(text) as T, text, options: { ...options }, messageId });
    return { messageId };
  }

  /** The decoded messages, oldest first. */
  messages(): T[] {
    return this.sent.map((entry) => entry.message);
  }

  clear(): void {
    this.sent.length = 0;
  }
}
