import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/logging';
import type { FaultInjector } from './faults';
import { HANG, HttpError, internalError, json, normalizePath, readBody, writeResponse, type EmulatorRequest, type HandlerResult, type Router } from './http';
import type { EmulatorState } from './model';

export interface PipelineOptions {
  router: Router;
  baseUrl: () => string;
  logger: Logger;
  state: EmulatorState;
  faults: FaultInjector;
  /** Runs before routing (due scheduled work). */
  beforeEach: () => void;
  now: () => string;
}

/** The control API and the page are never subject to injected faults. */
function isExemptFromFaults(path: string): boolean {
  return path === '/' || path === '/favicon.ico' || path === '/control' || path.startsWith('/control/');
}

async function dispatch(options: PipelineOptions, request: EmulatorRequest): Promise<HandlerResult> {
  const { router, logger, state } = options;
  try {
    if (!isExemptFromFaults(request.path)) {
      const fault = await options.faults.applyHttp(request);
      if (fault !== undefined) return fault;
    }
    const match = router.match(request.method, request.path);
    if (match === undefined) {
      logger.warn('EMULATOR: request to an unknown path (a client needs something the emulator does not serve)', {
        method: request.method,
        path: request.path,
      });
      state.unknownRequests.push({ method: request.method, path: request.path, at: options.now() });
      return json(404, { error: { code: 'NotFound', message: `The emulator has no route for ${request.method} ${request.path}.` } });
    }
    if ('allowed' in match) {
      return json(405, { error: { code: 'MethodNotAllowed', message: `Use ${match.allowed.join(', ')}.` } }, { allow: match.allowed.join(', ') });
    }
    return await match.handler({ ...request, params: match.params });
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, json: error.body, headers: error.headers };
    return internalError(logger, error, request);
  }
}

export function createRequestListener(options: PipelineOptions): (message: IncomingMessage, res: ServerResponse) => void {
  const handle = async (message: IncomingMessage, res: ServerResponse): Promise<void> => {
    const baseUrl = options.baseUrl();
    const url = new URL(message.url ?? '/', baseUrl);
    const body = await readBody(message);
    const request: EmulatorRequest = {
      method: (message.method ?? 'GET').toUpperCase(),
      url,
      path: normalizePath(url.pathname),
      headers: message.headers,
      body: body ?? '',
      params: {},
      baseUrl,
    };
    if (body === undefined) {
      writeResponse(request, res, json(413, { error: { code: 'PayloadTooLarge', message: 'The request body is larger than 1 MiB.' } }));
      return;
    }
    options.beforeEach();
    const result = await dispatch(options, request);
    if (result === HANG) return;
    writeResponse(request, res, result);
  };
  return (message, res) => {
    handle(message, res).catch((error: unknown) => {
      options.logger.error('emulator request failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

/** Listens on 127.0.0.1 only; resolves with the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
