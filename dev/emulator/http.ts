import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../../shared/logging';

/** A request as the emulator's handlers see it: body already read, path parameters decoded. */
export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  /** The path without a trailing slash (except `/`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly params: Readonly<Record<string, string>>;
  /** Base URL of the listener that received the request (`http://127.0.0.1:7072`). */
  readonly baseUrl: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body; leave both `json` and `text` undefined for an empty body. */
  json?: unknown;
  text?: string;
  contentType?: string;
}

/** Returned by a handler (or a fault) that must never answer: the socket stays open until stop(). */
export const HANG = Symbol('hang');
export type HandlerResult = EmulatorResponse | typeof HANG;
export type Handler = (req: EmulatorRequest) => HandlerResult | Promise<HandlerResult>;

/** Thrown by handlers to answer with a given status and an already-shaped body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** The loose Microsoft-like error shape used by the fulfillment, operations and control APIs. */
export function apiError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, { error: { code, message } });
}

export function header(req: EmulatorRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, json: body, headers };
}

export function empty(status: number, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers };
}

export function redirect(location: string): EmulatorResponse {
  return { status: 303, headers: { location } };
}

/** Parses a JSON body with a zod schema; a missing, malformed or invalid body throws `onError`. */
export function parseJsonBody<S extends z.ZodType>(req: EmulatorRequest, schema: S, onError: (message: string) => HttpError): z.infer<S> {
  let raw: unknown;
  try {
    raw = req.body.trim() === '' ? undefined : JSON.parse(req.body);
  } catch {
    throw onError('The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw onError(`The request body is invalid (${issues.join('; ')}).`);
  }
  return parsed.data;
}

export function parseFormBody(req: EmulatorRequest): URLSearchParams {
  return new URLSearchParams(req.body);
}

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/** A tiny method + path router. Patterns use `:name` segments; a trailing slash is ignored. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), segments: splitPath(normalizePath(pattern)), handler });
    return this;
  }

  /** The matching handler with its parameters; `allowed` lists methods when only the path matched. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | undefined {
    const segments = splitPath(path);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method.toUpperCase()) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

export function normalizePath(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith('/') ? pathname.replace(/\/+$/, '') || '/' : pathname;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i] ?? '';
    const value = actual[i] ?? '';
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (expected.toLowerCase() !== value.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(message: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Writes a response with the headers Microsoft puts on every answer: `x-ms-requestid` and
 * `x-ms-correlationid` echoed (one generated GUID for both when the client sent neither),
 * a fresh `x-ms-activityid`, and an `ETag` on successful JSON GETs.
 */
export function writeResponse(req: EmulatorRequest, res: ServerResponse, response: EmulatorResponse): void {
  const generated = randomUUID();
  const headers: Record<string, string> = {
    'x-ms-requestid': header(req, 'x-ms-requestid') ?? generated,
    'x-ms-correlationid': header(req, 'x-ms-correlationid') ?? generated,
    'x-ms-activityid': randomUUID(),
    ...response.headers,
  };
  let body = '';
  if (response.json !== undefined) {
    body = JSON.stringify(response.json);
    headers['content-type'] = response.contentType ?? 'application/json; charset=utf-8';
    if (req.method === 'GET' && response.status === 200) {
      headers.etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    }
  } else if (response.text !== undefined) {
    body = response.text;
    headers['content-type'] = response.contentType ?? 'text/plain; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers);
  res.end(body);
}

export function internalError(logger: Logger, error: unknown, req: EmulatorRequest): EmulatorResponse {
  logger.error('emulator handler failed', { method: req.method, path: req.path, error });
  return json(500, { error: { code: 'InternalServerError', message: 'The emulator failed to process the request.' } });
}
