import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logging';
import { summarize, type HostFunction } from './functionIndex';
import { presentedKey, type KeyChecker } from './keys';
import { LOCAL_HOST_VERSION } from './coreModule';

export interface AdminApiOptions {
  functions: readonly HostFunction[];
  keys: KeyChecker;
  logger: Logger;
  state(): 'Running' | 'Stopping';
  /** Starts a queue function with `input` as the message text; the promise settles when it is done. */
  runQueueFunction(fn: HostFunction, input: string): Promise<void>;
  runTimerFunction(fn: HostFunction): Promise<void>;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => void;

/**
 * The host's admin API subset: `GET /admin/host/status`, `GET /admin/functions[/{name}]` and
 * `POST /admin/functions/{name}` (body `{ "input": "…" }` → 202, runs a queue or timer function in
 * the background). Requires the master key whenever keys are configured.
 */
export function createAdminApi(options: AdminApiOptions): AdminHandler {
  const { functions, keys, logger } = options;
  const byName = new Map(functions.map((fn) => [fn.name.toLowerCase(), fn]));
  const started = Date.now();

  return (req, res, url, body) => {
    if (!keys.authorize('admin', undefined, presentedKey(req.headers['x-functions-key'], url.searchParams))) {
      send(res, 401);
      return;
    }
    const path = url.pathname.replace(/\/+$/, '').toLowerCase();
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === '/admin/host/status') {
      if (method !== 'GET') return send(res, 405);
      return send(res, 200, {
        id: 'local',
        state: options.state(),
        version: LOCAL_HOST_VERSION,
        processUptime: Date.now() - started,
        functions: functions.map(summarize),
      });
    }
    if (path === '/admin/functions') {
      return method === 'GET' ? send(res, 200, functions.map(summarize)) : send(res, 405);
    }
    const match = /^\/admin\/functions\/([^/]+)$/.exec(path);
    if (!match) return send(res, 404);
    const fn = byName.get(decodeURIComponent(match[1] ?? ''));
    if (!fn) return send(res, 404, { error: 'function not found' });
    if (method === 'GET') return send(res, 200, summarize(fn));
    if (method !== 'POST') return send(res, 405);
    const input = parseInput(body);
    if (input === undefined) return send(res, 400, { error: 'body must be JSON like {"input": "<message text>"}' });
    if (options.state() !== 'Running') return send(res, 503, { error: 'host is stopping' });
    let run: Promise<void>;
    if (fn.kind === 'queue') run = options.runQueueFunction(fn, input);
    else if (fn.kind === 'timer') run = options.runTimerFunction(fn);
    else return send(res, 400, { error: `${fn.trigger.type ?? 'this'} functions cannot be run through the admin API` });
    run.catch((error: unknown) => logger.error('admin invocation failed', { functionName: fn.name, error }));
    logger.info('admin invocation accepted', { functionName: fn.name });
    send(res, 202);
  };
}

function parseInput(body: Buffer): string | undefined {
  const text = body.toString('utf8').trim();
  if (text === '') return '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const input = (parsed as { input?: unknown }).input;
    if (input === undefined || input === null) return '';
    return typeof input === 'string' ? input : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, json?: unknown): void {
  if (json === undefined) {
    res.writeHead(status, { 'content-length': '0' }).end();
    return;
  }
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) }).end(body);
}
