import type { HttpRequest } from '@azure/functions';

/** The parts of an HttpRequest that readFormBody uses. */
export type FormBodyRequest = Pick<HttpRequest, 'headers' | 'body'>;

/** The Activate form carries three short fields; anything much larger is not ours. */
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
  const body = request.body as ReadableStream<Uint8Array> | null;
  if (body === null) return new URLSearchParams();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  try {
    return new URLSearchParams(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    return undefined;
  }
}
