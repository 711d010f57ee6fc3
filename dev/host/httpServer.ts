import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/logging';
import type { AdminHandler } from './adminApi';
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse } from './coreTypes';
import { authLevelOf, methodsOf, routeOf, type HostFunction } from './functionIndex';
import type { Invoker } from './invoker';
import { presentedKey, type KeyChecker } from './keys';
import { compileRoute, type CompiledRoute } from './routeTemplate';

/** The front end's request limit (100 MB). */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface HttpServerOptions {
  functions: readonly HostFunction[];
  invoker: Invoker;
  keys: KeyChecker;
  routePrefix: string;
  port: number;
  logger: Logger;
  admin: AdminHandler;
  sendOutputs(fn: HostFunction, response: RpcInvocationResponse): Promise<unknown>;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly url: string;
  /** Stops accepting connections; resolves once open requests have been answered. */
  close(): Promise<void>;
}

interface Route {
  fn: HostFunction;
  route: CompiledRoute;
  methods: string[] | undefined;
}

/** The HTTP front end on 127.0.0.1: routing, keys, the admin API and request/response conversion. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const routes = buildRoutes(options.functions, options.routePrefix);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('http request failed', { method: req.method, error });
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
      res.end();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (body === undefined) return void res.writeHead(413, { 'content-length': '0' }).end();
    if (/^\/admin(\/|$)/i.test(url.pathname)) return options.admin(req, res, url, body);
    if (url.pathname === '/') {
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Your Functions app is up and running (local host)\n');
    }
    const found = findRoute(routes, url.pathname, method);
    if (!found) return void res.writeHead(404, { 'content-length': '0' }).end();
    const { fn, params } = found;
    if (!options.keys.authorize(authLevelOf(fn), fn.name, presentedKey(req.headers['x-functions-key'], url.searchParams))) {
      return void res.writeHead(401, { 'content-length': '0' }).end();
    }
    const http: RpcHttpData = {
      method,
      url: url.href,
      headers: flattenHeaders(req.headers),
      query: queryRecord(url.searchParams),
      params,
      body: { bytes: body },
    };
    let response: RpcInvocationResponse;
    try {
      response = await options.invoker.invoke(fn, { triggerData: { http }, trace: { traceparent: headerValue(req.headers.traceparent), tracestate: headerValue(req.headers.tracestate) } });
      await options.sendOutputs(fn, response);
    } catch {
      // Logged by the invoker; like the host, answer 500 without details.
      return void res.writeHead(500, { 'content-length': '0' }).end();
    }
    writeResponse(res, method, response);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function buildRoutes(functions: readonly HostFunction[], routePrefix: string): Route[] {
  return functions
    .filter((fn) => fn.kind === 'http')
    .map((fn) => {
      const template = [routePrefix, routeOf(fn)].filter((part) => part.length > 0).join('/');
      try {
        return { fn, route: compileRoute(template), methods: methodsOf(fn) };
      } catch (error) {
        throw new Error(`Function "${fn.name}": ${(error as Error).message}`, { cause: error });
      }
    })
    .sort((a, b) => a.route.precedence.localeCompare(b.route.precedence) || a.route.template.localeCompare(b.route.template));
}

/** The first route (by precedence) whose template and methods match; a method mismatch is a 404, as in the host. */
function findRoute(routes: readonly Route[], path: string, method: string): { fn: HostFunction; params: Record<string, string> } | undefined {
  for (const { fn, route, methods } of routes) {
    if (methods && !methods.includes(method)) continue;
    const params = route.match(path);
    if (params) return { fn, params };
  }
  return undefined;
}

/** The absolute request URL the handler sees; a malformed Host header falls back to the loopback address. */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  const { localPort } = req.socket;
  try {
    return new URL(target, `http://${req.headers.host ?? `127.0.0.1:${localPort}`}`);
  } catch {
    return new URL(target, `http://127.0.0.1:${localPort}`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Query values as the host sends them: one string per key, repeated keys joined with commas. */
function queryRecord(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(query.keys())) out[key] = query.getAll(key).join(',');
  return out;
}

function writeResponse(res: ServerResponse, method: string, response: RpcInvocationResponse): void {
  const http = response.returnValue?.http;
  if (!http) {
    // A handler that returns nothing: ASP.NET Core answers a null result with 204.
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? '200');
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new Error(`Invalid HTTP status "${http.statusCode}"`);
  const body = Buffer.from(http.body?.bytes ?? new Uint8Array());
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (!/^(content-length|transfer-encoding|connection)$/i.test(name)) res.setHeader(name, value);
  }
  const cookies = (http.cookies ?? []).map(formatCookie);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const noBody = method === 'HEAD' || status === 204 || status === 304;
  if (!noBody) res.setHeader('content-length', String(body.length));
  res.writeHead(status);
  res.end(noBody ? undefined : body);
}

/** A `Set-Cookie` value in ASP.NET Core's format. */
export function formatCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  const expires = cookie.expires?.value?.seconds;
  if (typeof expires === 'number') parts.push(`expires=${new Date(expires * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`max-age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
  if (cookie.secure?.value) parts.push('secure');
  const sameSite = { lax: 'lax', strict: 'strict', explicitNone: 'none', none: undefined }[cookie.sameSite ?? 'none'];
  if (sameSite) parts.push(`samesite=${sameSite}`);
  if (cookie.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
