import { MARKETPLACE_API_VERSION, MARKETPLACE_HOSTS } from './constants';
import { UntrustedHostError } from './errors';

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type QueryValues = Record<string, string | undefined>;

/**
 * Builds request URLs and decides which URLs may receive the bearer token: only the Marketplace
 * hosts, the configured base URL's host (with its port) and `extraAllowedHosts`; and only over
 * https, except on loopback (the local emulator).
 */
export interface UrlPolicy {
  /** `base + path` with `api-version` and the defined query values. */
  build(path: string, query?: QueryValues): URL;
  /** Parses a URL the service returned, checks it and makes sure it carries `api-version`. */
  follow(link: string): URL;
  /** Throws UntrustedHostError unless the token may be sent to `url`. */
  assertTrusted(url: URL): void;
}

export function createUrlPolicy(baseUrl: string, extraAllowedHosts: readonly string[] = []): UrlPolicy {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const allowed = new Set([...MARKETPLACE_HOSTS, base.host, ...extraAllowedHosts].map((h) => h.toLowerCase()));

  const assertTrusted = (url: URL): void => {
    const host = url.host.toLowerCase();
    if (!allowed.has(host)) throw new UntrustedHostError(host, 'host is not in the allow-list');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTNAMES.has(url.hostname.toLowerCase()))) {
      throw new UntrustedHostError(host, 'https is required except on loopback');
    }
    if (url.username !== '' || url.password !== '') throw new UntrustedHostError(host, 'URLs with user info are not allowed');
  };

  assertTrusted(base);

  const withApiVersion = (url: URL): URL => {
    if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', MARKETPLACE_API_VERSION);
    return url;
  };

  return {
    build(path, query = {}) {
      const url = new URL(base.origin);
      url.pathname = `${basePath}${path}`;
      url.searchParams.set('api-version', MARKETPLACE_API_VERSION);
      for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
      return url;
    },
    follow(link) {
      const url = withApiVersion(new URL(link, base));
      assertTrusted(url);
      return url;
    },
    assertTrusted,
  };
}

/** Encodes one path segment (ids come from callers and from webhook payloads). */
/**
 * The route template of a Marketplace API URL, for span names and metric attributes: ids become
 * placeholders (`/saas/subscriptions/{subscriptionId}/operations/{operationId}`), query strings go.
 */
export function routeTemplate(url: URL): string {
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  const start = segments.indexOf('saas');
  const tail = start >= 0 ? segments.slice(start) : segments.slice(-1);
  const template = tail.map((part, i) => {
    const previous = tail[i - 1];
    if (previous === 'subscriptions' && part !== 'resolve') return '{subscriptionId}';
    if (previous === 'operations') return '{operationId}';
    return part;
  });
  return `/${template.join('/')}`;
}

export function segment(value: string): string {
  if (value === '') throw new TypeError('A Marketplace id must not be empty');
  return encodeURIComponent(value);
}
