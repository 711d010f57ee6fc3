import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';

export interface ReadJsonBodyOptions {
  /** Largest accepted body in bytes; larger bodies fail with PayloadTooLargeError (413). */
  maxBytes: number;
  /**
   * `json` (default), the one rule of every JSON endpoint: the body is JSON sent with
   * `application/json` (or `application/*+json`) or with no Content-Type at all; any other media
   * type (a form post, `text/plain`) is refused with UnsupportedMediaTypeError (415). `any`: do not
   * look at it; for senders whose content type is not documented (the marketplace webhook, where a
   * 4xx to ChangePlan means "rejected").
   */
  contentType?: 'json' | 'any';
  /** An empty body reads as `{}` (endpoints whose every field is optional); default: refused (400). */
  allowEmpty?: boolean;
}

/** The parts of an HttpRequest that readJsonBody uses (an HttpRequest fits). */
export type JsonBodyRequest = Pick<HttpRequest, 'headers' | 'body' | 'bodyUsed'>;

/** At most this many schema issues are listed; the rest are counted. */
export const MAX_LISTED_ISSUES = 20;

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/i;

/**
 * What the worker reports for a body sent without a Content-Type: when the host hands the body over
 * as a string, the worker's `Request` adds this exact value. It counts as "no content type".
 */
const WORKER_DEFAULT_CONTENT_TYPE = 'text/plain;charset=UTF-8';

function checkContentType(headers: Headers): void {
  const header = headers.get('content-type')?.trim() ?? '';
  if (header === '' || header === WORKER_DEFAULT_CONTENT_TYPE) return;
  const mediaType = header.split(';')[0]?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) throw new UnsupportedMediaTypeError(mediaType, 'application/json');
}

/** Reads a request body, stopping with PayloadTooLargeError as soon as it exceeds `maxBytes`. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Uint8Array, allowEmpty: boolean): unknown {
  if (bytes.byteLength === 0) {
    if (allowEmpty) return {};
    throw new ValidationError('Request body is empty', ['(body): required']);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new ValidationError('Request body is not valid UTF-8', ['(body): not valid UTF-8'], { cause });
  }
  if (allowEmpty && text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    // The SyntaxError quotes the body; keep it as the cause (logs) rather than in the issues (response).
    throw new ValidationError('Request body is not valid JSON', ['(body): not valid JSON'], { cause });
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(root)' : out;
}

/** "path: message" per issue, at most MAX_LISTED_ISSUES of them. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_LISTED_ISSUES) listed.push(`… and ${issues.length - MAX_LISTED_ISSUES} more`);
  return listed;
}

/**
 * Reads the request body as JSON and parses it with `schema`: the one body reader of every JSON
 * endpoint. Fails with PayloadTooLargeError (413) when the declared or actual size exceeds
 * `maxBytes` (reading stops at the limit), with UnsupportedMediaTypeError (415) when the content
 * type is neither JSON nor absent (see `contentType`), and with ValidationError (400) when the body
 * is empty (unless `allowEmpty`), not UTF-8, not JSON, or does not match the schema (issues list
 * the paths).
 */
export async function readJsonBody<S extends z.ZodType>(
  request: JsonBodyRequest,
  schema: S,
  options: ReadJsonBodyOptions,
): Promise<z.output<S>> {
  const { maxBytes } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (request.bodyUsed) throw new TypeError('The request body has already been read');
  if (options.contentType !== 'any') checkContentType(request.headers);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new PayloadTooLargeError(maxBytes);

  const value = parseJson(await readLimited(request.body as ReadableStream<Uint8Array> | null, maxBytes), options.allowEmpty ?? false);
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError('Request body is invalid', formatIssues(result.error.issues));
  return result.data;
}
