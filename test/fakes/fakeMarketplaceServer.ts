import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Raw body text ('' when none). */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** The client's port: the same on two requests when the connection was kept alive. */
  remotePort?: number;
}

/**
 * A scripted reply. `body` is sent as JSON unless it is a string; `hang` never answers; `destroy`
 * drops the connection after the request arrived (a reset with no response).
 */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  hang?: boolean;
  destroy?: boolean;
}

export type Responder = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse);

/**
 * A marketplace stand-in on 127.0.0.1 with a per-test script: `reply(...)` queues responses that
 * are used in order, one per request. An unscripted request gets 418 (never retried by the client)
 * so a missing script line shows up as a clear failure.
 */
export interface FakeMarketplaceServer {
  /** `http://127.0.0.1:<port>/api` */
  readonly baseUrl: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly requests: RecordedRequest[];
  reply(...responses: Responder[]): void;
  close(): Promise<void>;
}

/** The whole request body as UTF-8 text (also used by the loopback OTLP receiver). */
export function readBody(req: IncomingMessage): Promise<string> {
  return readBodyBytes(req).then((bytes) => bytes.toString('utf8'));
}

/** The request body as it came over the wire (for receivers that decode it themselves, e.g. gzip). */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, scripted: ScriptedResponse): void {
  if (scripted.hang) return;
  if (scripted.destroy) {
    res.socket?.destroy();
    return;
  }
  const body = scripted.body === undefined ? '' : typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body);
  const headers = { ...(body === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...scripted.headers };
  res.writeHead(scripted.status ?? 200, headers);
  res.end(body);
}

export async function startFakeMarketplaceServer(): Promise<FakeMarketplaceServer> {
  const requests: RecordedRequest[] = [];
  const script: Responder[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        json: parseJson(body),
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      const next = script.shift();
      if (next === undefined) {
        send(res, { status: 418, body: { error: { code: 'Unscripted', message: `${recorded.method} ${recorded.path}` } } });
        return;
      }
      send(res, typeof next === 'function' ? next(recorded) : next);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    host: `127.0.0.1:${port}`,
    requests,
    reply: (...responses) => {
      script.push(...responses);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
