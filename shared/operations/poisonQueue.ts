import { z } from 'zod';
import { NotFoundError } from '../errors';
import { poisonQueueName, QUEUE_NAMES } from '../storage';

/**
 * After `maxDequeueCount` failed attempts the Functions host moves a message, as it was on the
 * queue (base64 text), to `<queue>-poison`. These use cases let an operator look at those messages
 * and put them back on their queue once the cause is fixed.
 */
export interface PoisonMessage {
  messageId: string;
  insertedOn?: string;
  expiresOn?: string;
  dequeueCount: number;
  /** Raw queue text (base64 of the JSON, as the host copied it). */
  messageText: string;
}

export interface ReceivedPoisonMessage extends PoisonMessage {
  popReceipt: string;
}

/** The queue operations the use cases need (Azure Storage Queues in production, a fake in tests). */
export interface PoisonQueueStore {
  /** 0 when the queue does not exist. */
  approximateCount(queue: string): Promise<number>;
  /** Up to 32 visible messages, without hiding them; [] when the queue does not exist. */
  peek(queue: string, max: number): Promise<PoisonMessage[]>;
  /** Up to 32 messages, hidden for `visibilitySeconds`. */
  receive(queue: string, max: number, visibilitySeconds: number): Promise<ReceivedPoisonMessage[]>;
  /** Sends `text` as is (it is already encoded). */
  sendRaw(queue: string, text: string): Promise<void>;
  delete(queue: string, message: ReceivedPoisonMessage): Promise<void>;
  /** Makes a received message visible again at once. */
  release(queue: string, message: ReceivedPoisonMessage): Promise<void>;
}

/** Azure Storage returns at most 32 messages per peek or receive. */
export const MAX_BATCH = 32;
export const MAX_REPLAY = 1_000;
const REPLAY_VISIBILITY_SECONDS = 60;
const MAX_SHOWN_TEXT = 2_000;
const QUEUES: ReadonlySet<string> = new Set(Object.values(QUEUE_NAMES));

/** The app's queue named in the route; NotFoundError (404) for anything else. */
export function checkQueueName(queue: string | undefined): string {
  if (queue === undefined || !QUEUES.has(queue)) throw new NotFoundError('Queue', String(queue));
  return queue;
}

/** The message body: the decoded JSON, or `undefined` with the raw text when it does not decode. */
export function decodePoisonText(text: string): { body: unknown } | { undecodable: true; text: string } {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') === text.trim().replace(/=+$/, '')) {
    try {
      return { body: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch {
      // fall through: base64 but not JSON
    }
  }
  return { undecodable: true, text: text.slice(0, MAX_SHOWN_TEXT) };
}

export interface PoisonListing {
  queue: string;
  poisonQueue: string;
  approximateCount: number;
  messages: Array<Omit<PoisonMessage, 'messageText'> & ({ body: unknown } | { undecodable: true; text: string })>;
}

export async function listPoisonMessages(store: PoisonQueueStore, queue: string, max = MAX_BATCH): Promise<PoisonListing> {
  const poisonQueue = poisonQueueName(checkQueueName(queue));
  const [approximateCount, peeked] = await Promise.all([store.approximateCount(poisonQueue), store.peek(poisonQueue, Math.min(Math.max(1, max), MAX_BATCH))]);
  const messages = peeked.map(({ messageText, ...meta }) => ({ ...meta, ...decodePoisonText(messageText) }));
  return { queue, poisonQueue, approximateCount, messages };
}

/** The POST body: empty or `{}` (replay up to 32), or `{ "messageIds"?: [...], "max"?: n }`. */
export const replayRequestSchema = z
  .object({
    messageIds: z.array(z.string().min(1).max(128)).min(1).max(MAX_REPLAY).optional(),
    max: z.number().int().min(1).max(MAX_REPLAY).optional(),
  })
  .strict();
export type ReplayRequest = z.infer<typeof replayRequestSchema>;

export interface ReplayResult {
  queue: string;
  poisonQueue: string;
  replayed: string[];
  /** Asked-for ids that were not found in the poison queue. */
  notFound: string[];
}

/**
 * Moves poison messages back to their queue: send the text as it was, then delete it from the poison
 * queue (a crash in between leaves a copy in both; the consumers are idempotent). With `messageIds`,
 * only those; otherwise up to `max` (default 32). Other received messages are released at the end.
 */
export async function replayPoisonMessages(store: PoisonQueueStore, queue: string, request: ReplayRequest): Promise<ReplayResult> {
  const poisonQueue = poisonQueueName(checkQueueName(queue));
  const wanted = request.messageIds === undefined ? undefined : new Set(request.messageIds);
  const limit = wanted?.size ?? request.max ?? MAX_BATCH;
  const budget = (await store.approximateCount(poisonQueue)) + MAX_BATCH;
  const replayed: string[] = [];
  const skipped: ReceivedPoisonMessage[] = [];
  try {
    for (let scanned = 0; replayed.length < limit && scanned < budget; ) {
      const batch = await store.receive(poisonQueue, MAX_BATCH, REPLAY_VISIBILITY_SECONDS);
      if (batch.length === 0) break;
      scanned += batch.length;
      for (const message of batch) {
        if (replayed.length >= limit || (wanted !== undefined && !wanted.has(message.messageId))) {
          skipped.push(message);
          continue;
        }
        await store.sendRaw(queue, message.messageText);
        await store.delete(poisonQueue, message);
        replayed.push(message.messageId);
      }
    }
  } finally {
    await Promise.allSettled(skipped.map((message) => store.release(poisonQueue, message)));
  }
  const notFound = wanted === undefined ? [] : [...wanted].filter((id) => !replayed.includes(id));
  return { queue, poisonQueue, replayed, notFound };
}
