export type PurchaseTokenResult =
  | { kind: 'present'; token: string }
  /** No `token` parameter, or an empty one. */
  | { kind: 'missing' }
  /** Percent-encoding that does not decode (e.g. `%zz`, or a lone `%`). */
  | { kind: 'malformed' };

const MISSING: PurchaseTokenResult = { kind: 'missing' };

/**
 * The `token` query parameter of a landing page URL, URL-decoded exactly once (marketplace-api.md
 * §2.1: `ab%2Bcd%2Fef` becomes `ab+cd/ef`). Read from the raw query string on purpose:
 * URLSearchParams applies form decoding, which turns a literal `+` of the token into a space. The
 * parameter name is matched case-insensitively; the first `token` wins.
 */
export function readPurchaseToken(url: string): PurchaseTokenResult {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return MISSING;
  const fragmentStart = url.indexOf('#', queryStart);
  const query = url.slice(queryStart + 1, fragmentStart < 0 ? undefined : fragmentStart);
  for (const pair of query.split('&')) {
    const separator = pair.indexOf('=');
    const name = separator < 0 ? pair : pair.slice(0, separator);
    if (decodeOnce(name)?.toLowerCase() !== 'token') continue;
    const decoded = decodeOnce(separator < 0 ? '' : pair.slice(separator + 1));
    if (decoded === undefined) return { kind: 'malformed' };
    return decoded.trim() === '' ? MISSING : { kind: 'present', token: decoded };
  }
  return MISSING;
}

function decodeOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
