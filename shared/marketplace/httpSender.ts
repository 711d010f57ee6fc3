import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/**
 * The HTTP layer under the Marketplace transport: node:http / node:https with keep-alive agents.
 *
 * Not `fetch`: each undici fetch left some 12 KB behind that outlived young-generation GCs (its
 * FinalizationRegistry entries, abort listeners and stream machinery), so the 10,000 calls of a
 * reconciliation grew V8's old space by tens of MB. A plain `http.request` leaves nothing once the
 * response is read. What fetch did that matters here is kept: redirects are never followed (a 3xx
 * comes back as it is, like `redirect: 'manual'`), the body is read in full as UTF-8 text (a BOM
 * dropped, gzip/deflate/br undone if a server compresses anyway), the headers come back as a
 * WHATWG `Headers`, and TLS trusts Node's default CA store (which includes NODE_EXTRA_CA_CERTS).
 */
export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborting destroys the request (its socket is not reused) and rejects with `signal.reason`. */
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Rejects with `signal.reason` when aborted, and otherwise with the node:net / node:http error
 * (`code` such as ECONNREFUSED, ENOTFOUND or ECONNRESET on the error itself).
 */
export type HttpSender = (url: URL | string, init: HttpRequestInit) => Promise<HttpResponse>;

export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * An idle pooled connection is closed after this long, as undici does (4 s): servers drop idle
 * connections too, and a request written on a connection the server is closing fails with a reset
 * that change-plan and delete calls cannot safely retry. A shorter `Keep-Alive: timeout=` hint from
 * the server wins (Node's agent reads it).
 */
const IDLE_SOCKET_MS = 4_000;

/** Shared by every client in the process, like fetch's global dispatcher. */
export const defaultAgents: HttpAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
};

/** Sent unless the caller sets one (fetch sent "node"; some firewalls turn away requests without one). */
const USER_AGENT = 'saas-fulfillment';

/** Methods Node would otherwise send with `Transfer-Encoding: chunked` when there is no body. */
const EMPTY_BODY_LENGTH_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Content codings undone, should a server compress although we never ask it to. */
const decoders = new Map<string, (buffer: Buffer) => Promise<Buffer>>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
  ['br', promisify(brotliDecompress)],
]);

export function createHttpSender(agents: HttpAgents = defaultAgents): HttpSender {
  return (url, init) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const { signal } = init;
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const target = typeof url === 'string' ? new URL(url) : url;
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new TypeError(`Unsupported protocol ${target.protocol}`));
        return;
      }
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
      else if (EMPTY_BODY_LENGTH_METHODS.has(init.method.toUpperCase())) headers['Content-Length'] = '0';
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) headers['User-Agent'] = USER_AGENT;

      const request = (secure ? https : http).request(target, { method: init.method, headers, agent: secure ? agents.https : agents.http });
      let settled = false;
      /** True the first time only; the abort listener goes with it, so nothing outlives the request. */
      function settle(): boolean {
        if (settled) return false;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        return true;
      }
      function fail(error: Error): void {
        if (settle()) reject(error);
      }
      // fail() before destroy(): the caller gets the abort reason, not the "socket hang up" that follows.
      function onAbort(): void {
        fail(signal.reason as Error);
        request.destroy();
      }
      signal.addEventListener('abort', onAbort, { once: true });
      // Stays attached after settling: a late error with no listener would crash the process.
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        // 'close' without every byte: the connection dropped mid-body (Node does not always say so with 'error').
        response.on('close', () => {
          if (!response.complete) fail(Object.assign(new Error('The connection closed before the response was complete'), { code: 'ECONNRESET' }));
        });
        response.on('end', () => {
          if (settled) return;
          const finish = (bytes: Buffer): void => {
            try {
              const result = { status: response.statusCode ?? 0, headers: toHeaders(response.rawHeaders), text: utf8(bytes) };
              if (settle()) resolve(result);
            } catch (error) {
              fail(error as Error);
            }
          };
          const body = Buffer.concat(chunks);
          const encoding = response.headers['content-encoding']?.trim().toLowerCase();
          const decoder = encoding === undefined || body.length === 0 ? undefined : decoders.get(encoding);
          if (decoder) decoder(body).then(finish, fail);
          else finish(body);
        });
      });
      request.end(init.body);
    });
}

function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // fetch's text() drops a UTF-8 byte order mark; JSON.parse would choke on it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The default: node:http / node:https on the process-wide keep-alive agents. */
export const sendHttp: HttpSender = createHttpSender();
