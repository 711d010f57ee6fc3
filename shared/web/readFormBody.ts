import type { HttpRequest } from '@azure/functions';
import { PayloadTooLargeError } from '../errors';
import { readLimited } from '../http/readJsonBody';

/** The parts of an HttpRequest that readFormBody uses. */
export type FormBodyRequest = Pick<HttpRequest, 'headers' | 'body'>;

/** Forms carry a few short fields; anything much larger is not ours. */
export const MAX_FORM_BYTES = 8 * 1024;

/**
 * The fields of an `application/x-www-form-urlencoded` body (form decoding is right here: browsers
 * encode a `+` in a value as `%2B`). Undefined when the content type is different, the body is
 * larger than `maxBytes` (reading stops there) or it is not UTF-8.
 */
export async function readFormBody(request: FormBodyRequest, maxBytes = MAX_FORM_BYTES): Promise<URLSearchParams | undefined> {
  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') return undefined;
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await readLimited(request.body as ReadableStream<Uint8Array> | null, maxBytes);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) return undefined;
    throw error;
  }
  try {
    return new URLSearchParams(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
