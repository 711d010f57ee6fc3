import type { DequeuedMessageItem } from '@azure/storage-queue';
import type { RpcBindingInfo, RpcInvocationResponse, RpcTypedData } from './coreTypes';
import { connectionOf, stringOption, type HostFunction } from './functionIndex';
import type { QueueSettings } from './hostConfig';
import type { QueueStorage } from './queueStorage';

export type MessageEncoding = QueueSettings['messageEncoding'];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a message body like the extension's base64 `QueueClient`: .NET `Convert.FromBase64String`
 * ignores whitespace but rejects anything else that is not canonical, padded base64. Returns
 * undefined when the body cannot be decoded (such a message goes straight to the poison queue).
 */
export function decodeMessageText(raw: string, encoding: MessageEncoding): string | undefined {
  if (encoding === 'none') return raw;
  const compact = raw.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function encodeMessage(content: Buffer, encoding: MessageEncoding): string {
  return encoding === 'base64' ? content.toString('base64') : content.toString('utf8');
}

/** `<queue>-poison`, or undefined when the queue is itself a poison queue or the name would be too long. */
export function poisonQueueName(queueName: string): string | undefined {
  const name = `${queueName}-poison`;
  return queueName.endsWith('-poison') || name.length > 63 ? undefined : name;
}

/** The binding data the Storage Queues extension sends with a queue trigger (PascalCase, as the host). */
export function queueTriggerMetadata(message: DequeuedMessageItem, text: string): Record<string, RpcTypedData> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { json: JSON.stringify(message.dequeueCount) },
    Id: { string: message.messageId },
    PopReceipt: { string: message.popReceipt },
    InsertionTime: { json: JSON.stringify(message.insertedOn.toISOString()) },
    ExpirationTime: { json: JSON.stringify(message.expiresOn.toISOString()) },
    NextVisibleTime: { json: JSON.stringify(message.nextVisibleOn.toISOString()) },
  };
}

/** Metadata for a queue function run through the admin endpoint: a fresh, never-dequeued message. */
export function adminQueueTriggerMetadata(text: string, id: string, now: Date): Record<string, RpcTypedData> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { json: '0' },
    Id: { string: id },
    InsertionTime: { json: JSON.stringify(now.toISOString()) },
  };
}

interface PendingOutput {
  binding: RpcBindingInfo;
  contents: Buffer[];
}

/** The queue messages an invocation produced: `outputData` entries and a `$return` queue binding. */
export function queueOutputs(fn: HostFunction, response: RpcInvocationResponse): PendingOutput[] {
  const out: PendingOutput[] = [];
  const add = (name: string | null | undefined, data: RpcTypedData | null | undefined): void => {
    const binding = name ? fn.bindings[name] : undefined;
    if (!binding || binding.type?.toLowerCase() !== 'queue' || !data) return;
    const contents = messageContents(data);
    if (contents.length > 0) out.push({ binding, contents });
  };
  for (const entry of response.outputData ?? []) add(entry.name, entry.data);
  add('$return', response.returnValue);
  return out;
}

/**
 * One message per value; an array becomes one message per element, as the host's queue output
 * binding does for a JSON array. Strings are sent as they are, other values as JSON.
 */
function messageContents(data: RpcTypedData): Buffer[] {
  if (data.bytes !== undefined && data.bytes !== null) return [Buffer.from(data.bytes)];
  if (typeof data.string === 'string') return [Buffer.from(data.string, 'utf8')];
  if (typeof data.int === 'number') return [Buffer.from(String(data.int), 'utf8')];
  if (typeof data.double === 'number') return [Buffer.from(String(data.double), 'utf8')];
  if (typeof data.json === 'string') {
    const value: unknown = JSON.parse(data.json);
    const items: unknown[] = Array.isArray(value) ? value : [value];
    return items.map((item) => Buffer.from(typeof item === 'string' ? item : JSON.stringify(item), 'utf8'));
  }
  return [];
}

export interface SendOutputsOptions {
  storage: QueueStorage;
  encoding: MessageEncoding;
  /** Called with each queue written to, so a listener in this host can poll at once. */
  onSent?: (connection: string, queueName: string) => void;
}

/** Sends an invocation's queue output-binding messages (after the function succeeded). */
export async function sendQueueOutputs(fn: HostFunction, response: RpcInvocationResponse, options: SendOutputsOptions): Promise<number> {
  let sent = 0;
  for (const { binding, contents } of queueOutputs(fn, response)) {
    const queueName = stringOption(binding, 'queueName');
    if (!queueName) throw new Error(`Function "${fn.name}": a queue output binding has no queueName`);
    const connection = connectionOf(binding);
    const client = await options.storage.queue(connection, queueName);
    for (const content of contents) {
      await client.sendMessage(encodeMessage(content, options.encoding));
      sent += 1;
    }
    options.onSent?.(connection, options.storage.queueNameOf(queueName));
  }
  return sent;
}
