import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../shared/clock';
import { ISV_DECISION_EVENT_TYPE } from '../../shared/isv/cloudEvent';
import { SIGNATURE_HEADER, SignatureVerificationError, verifySignature, type SignatureFailureReason } from '../../shared/isv/signature';

/** The CloudEvent as received (fields typed loosely: the tests assert them). */
export interface ReceivedCloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: string;
  data: Record<string, unknown>;
}

/** One request as the receiver got it. `decision` = a `saas.subscription.change_requested` event. */
export interface ReceivedIsvRequest {
  kind: 'event' | 'decision';
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body; undefined when it is not JSON. */
  event: ReceivedCloudEvent | undefined;
  signature: { valid: true } | { valid: false; reason: SignatureFailureReason };
}

/** A scripted answer: `json` is sent as JSON, `body` as is; `hang` never answers; `destroy` drops the connection. */
export interface IsvReply {
  status?: number;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (real time: use it only to outlast a client deadline). */
  delayMs?: number;
  hang?: boolean;
  destroy?: boolean;
}

export type IsvResponder = IsvReply | ((request: ReceivedIsvRequest) => IsvReply);

export interface IsvReceiverOptions {
  /** The secret(s) the signature is checked with. */
  secret: string | readonly string[];
  /** Time of receipt for the tolerance check; pass the clock the hooks use. */
  clock?: Clock;
  toleranceSeconds?: number;
  /** Answer when the script is empty. Default: 200 `{ received: true }`, decisions 200 `{ accept: true }`. */
  respond?: IsvResponder;
}

/**
 * A stand-in for the ISV's product on 127.0.0.1, on one URL usable as both ISV_WEBHOOK_URL and
 * ISV_DECISION_URL. It records every request, checks its signature like a real ISV (a bad one
 * gets 401 and leaves the script alone), and answers from `reply(...)`, one line per request.
 */
export interface IsvReceiver {
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ReceivedIsvRequest[];
  /** Provision and lifecycle events. */
  readonly events: ReceivedIsvRequest[];
  readonly decisions: ReceivedIsvRequest[];
  eventsOfType(type: string): ReceivedIsvRequest[];
  reply(...responders: IsvResponder[]): void;
  /** Like `reply`, for requests about one subscription only (the CloudEvent's subject), so late events of other subscriptions never take these answers. */
  replyFor(subject: string, ...responders: IsvResponder[]): void;
  close(): Promise<void>;
}

const defaultResponder: IsvResponder = (request) => ({ status: 200, json: request.kind === 'decision' ? { accept: true } : { received: true } });

export async function startIsvReceiver(options: IsvReceiverOptions): Promise<IsvReceiver> {
  const secrets = typeof options.secret === 'string' ? [options.secret] : [...options.secret];
  const clock = options.clock ?? systemClock;
  const requests: ReceivedIsvRequest[] = [];
  const script: IsvResponder[] = [];
  const scriptFor = new Map<string, IsvResponder[]>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    void readBody(req).then((bytes) => {
      const rawBody = bytes.toString('utf8');
      const event = parseJson(rawBody) as ReceivedCloudEvent | undefined;
      const request: ReceivedIsvRequest = {
        kind: event?.type === ISV_DECISION_EVENT_TYPE ? 'decision' : 'event',
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        headers: req.headers,
        rawBody,
        event,
        signature: checkSignature(bytes, req.headers[SIGNATURE_HEADER.toLowerCase()], secrets, clock, options.toleranceSeconds),
      };
      requests.push(request);
      const responder: IsvResponder = request.signature.valid
        ? (scriptFor.get(event?.subject ?? '')?.shift() ?? script.shift() ?? options.respond ?? defaultResponder)
        : { status: 401, json: { reason: `invalid signature: ${request.signature.reason}` } };
      const reply = typeof responder === 'function' ? responder(request) : responder;
      if (reply.delayMs === undefined) return send(res, reply);
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, reply);
      }, reply.delayMs);
      timers.add(timer);
    }).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/isv`,
    requests,
    get events() {
      return requests.filter((r) => r.kind === 'event');
    },
    get decisions() {
      return requests.filter((r) => r.kind === 'decision');
    },
    eventsOfType: (type) => requests.filter((r) => r.event?.type === type),
    reply: (...responders) => {
      script.push(...responders);
    },
    replyFor: (subject, ...responders) => {
      scriptFor.set(subject, [...(scriptFor.get(subject) ?? []), ...responders]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function checkSignature(bytes: Buffer, header: string | string[] | undefined, secrets: string[], clock: Clock, toleranceSeconds?: number): ReceivedIsvRequest['signature'] {
  try {
    verifySignature({ payload: bytes, header, secrets, toleranceSeconds, now: clock.now() });
    return { valid: true };
  } catch (error) {
    if (error instanceof SignatureVerificationError) return { valid: false, reason: error.reason };
    throw error;
  }
}

function send(res: ServerResponse, reply: IsvReply): void {
  if (reply.hang) return;
  if (reply.destroy) {
    res.socket?.destroy();
    return;
  }
  const body = reply.json === undefined ? (reply.body ?? '') : JSON.stringify(reply.json);
  const type = reply.json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' };
  res.writeHead(reply.status ?? 200, { ...type, ...reply.headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
