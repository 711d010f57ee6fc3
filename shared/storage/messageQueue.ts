/** Options for one message. */
export interface SendOptions {
  /** Seconds before the message becomes visible (0–604,800; default 0). */
  visibilityDelaySeconds?: number;
  /** Seconds the message lives (-1 = forever; default 7 days). */
  timeToLiveSeconds?: number;
}

export interface SentMessage {
  messageId: string;
}

/** A queue of JSON messages of type T, in the format the Functions queue trigger reads. */
export interface MessageQueue<T> {
  readonly name: string;
  send(message: T, options?: SendOptions): Promise<SentMessage>;
}

/** Queue messages hold at most 64 KiB of text; base64 makes that about 48 KiB of UTF-8 JSON. */
export const MAX_ENCODED_MESSAGE_LENGTH = 64 * 1024;
const MAX_VISIBILITY_DELAY_SECONDS = 7 * 24 * 60 * 60;

/**
 * Base64 of the UTF-8 JSON: what the queue trigger decodes with host.json `messageEncoding: base64`
 * (the default) before the library JSON-parses it. Throws TypeError for a value JSON cannot
 * represent and RangeError when the result is too large for a queue message.
 */
export function encodeQueueMessage(message: unknown): string {
  const json = JSON.stringify(message) as string | undefined;
  if (json === undefined) throw new TypeError('A queue message must be a JSON value (got undefined or a function)');
  const text = Buffer.from(json, 'utf8').toString('base64');
  if (text.length > MAX_ENCODED_MESSAGE_LENGTH) {
    throw new RangeError(`Queue message is ${text.length} characters once encoded; the limit is ${MAX_ENCODED_MESSAGE_LENGTH}`);
  }
  return text;
}

/** The inverse of encodeQueueMessage (for tests, fakes and tools that read queues directly). */
export function decodeQueueMessage(text: string): unknown {
  return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
}

/** Checks send options; RangeError for values the service would refuse. */
export function checkSendOptions(options: SendOptions): SendOptions {
  const { visibilityDelaySeconds: delay, timeToLiveSeconds: ttl } = options;
  if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_VISIBILITY_DELAY_SECONDS)) {
    throw new RangeError(`visibilityDelaySeconds must be an integer from 0 to ${MAX_VISIBILITY_DELAY_SECONDS}, got ${delay}`);
  }
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl < 1 && ttl !== -1))) {
    throw new RangeError(`timeToLiveSeconds must be -1 or a positive integer, got ${ttl}`);
  }
  if (delay !== undefined && ttl !== undefined && ttl !== -1 && delay >= ttl) {
    throw new RangeError('visibilityDelaySeconds must be shorter than timeToLiveSeconds');
  }
  return options;
}
