import { execFile } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { transformFileSync } from '@swc/core';
import { ensureTlsMaterial, type TlsMaterial } from '../../../dev/emulator/certificates';
import { createMarketplaceClient } from '../../../shared/marketplace/createMarketplaceClient';
import { createHttpSender, type HttpAgents, type HttpSender, sendHttp } from '../../../shared/marketplace/httpSender';
import { wasNeverConnected } from '../../../shared/marketplace/retry';
import { createFakeCredential } from '../../fakes/fakeCredential';
import { eventually } from '../../support/eventually';
import { SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  url: string;
  /** Remote ports of the requests, in order (equal when a connection was reused). */
  ports: number[];
  /** Resolves when the n-th connection (0-based) is closed. */
  closed(index: number): Promise<void>;
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server, protocol: 'http' | 'https', handler: Handler): Promise<TestServer> {
  const ports: number[] = [];
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    ports.push(req.socket.remotePort ?? 0);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${protocol}://127.0.0.1:${port}`,
    ports,
    closed: (index) =>
      new Promise<void>((resolve) => {
        const socket = sockets[index];
        if (socket === undefined || socket.destroyed) resolve();
        else socket.once('close', () => resolve());
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const startServer = (handler: Handler): Promise<TestServer> => listen(http.createServer(), 'http', handler);

function freshAgents(options: https.AgentOptions = {}): HttpAgents {
  return { http: new http.Agent({ keepAlive: true, ...options }), https: new https.Agent({ keepAlive: true, ...options }) };
}

function pooledSockets(agent: http.Agent): Socket[] {
  return [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].flatMap((list) => list ?? []);
}

/** Resolves once the agent holds no socket at all (destroyed sockets leave it on their 'close'). */
const agentEmptied = (agent: http.Agent): Promise<boolean> =>
  eventually('the agent to hold no socket', () => (pooledSockets(agent).length === 0 ? true : undefined), 2_000, 5);

const get = (send: HttpSender, url: string, signal = new AbortController().signal) => send(url, { method: 'GET', headers: {}, signal });

describe('marketplace HTTP sender (node:http)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const track = <T extends { close(): Promise<void> }>(server: T): T => {
    cleanups.push(() => server.close());
    return server;
  };
  const trackAgents = (agents: HttpAgents): HttpAgents => {
    cleanups.push(() => {
      agents.http.destroy();
      agents.https.destroy();
    });
    return agents;
  };

  it('rejects with the abort reason when aborted mid-request, and frees the socket', async () => {
    // Prepare
    const server = track(
      await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":'); // and never ends
      }),
    );
    const agents = trackAgents(freshAgents());
    const controller = new AbortController();
    const reason = new Error('caller gave up');

    // Act
    const pending = get(createHttpSender(agents), server.url, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(reason);

    // Assess
    await expect(pending).rejects.toBe(reason);
    expect(pooledSockets(agents.http).every((socket) => socket.destroyed)).toBe(true);
    await server.closed(0);
    await expect(agentEmptied(agents.http)).resolves.toBe(true);
  });

  it('rejects at once, without sending, when the signal is already aborted', async () => {
    // Prepare
    const server = track(await startServer((_req, res) => res.end('unexpected')));
    const reason = new DOMException('already', 'AbortError');

    // Act
    const result = get(sendHttp, server.url, AbortSignal.abort(reason));

    // Assess
    await expect(result).rejects.toBe(reason);
    expect(server.ports).toHaveLength(0);
  });

  it('returns a 302 as it is and does not follow Location', async () => {
    // Prepare
    const elsewhere = track(await startServer((_req, res) => res.end('followed')));
    const server = track(
      await startServer((_req, res) => {
        res.writeHead(302, { location: `${elsewhere.url}/stolen-token` });
        res.end();
      }),
    );

    // Act
    const response = await get(sendHttp, `${server.url}/api`);

    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${elsewhere.url}/stolen-token`);
    expect(elsewhere.ports).toHaveLength(0);
  });

  it('surfaces a 3xx to the client as an http error, never retried or followed', async () => {
    // Prepare
    const elsewhere = track(await startServer((_req, res) => res.end('{}')));
    const server = track(
      await startServer((_req, res) => {
        res.writeHead(307, { location: `${elsewhere.url}/api/saas/subscriptions/x` });
        res.end();
      }),
    );
    const client = createMarketplaceClient({ baseUrl: `${server.url}/api`, credential: createFakeCredential(), sleep: () => Promise.resolve() });

    // Act
    const result = client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'http', status: 307, attempts: 1 });
    expect(elsewhere.ports).toHaveLength(0);
  });

  it('rejects a refused connection with an error the transport reads as never connected', async () => {
    // Prepare
    const gone = await startServer(() => undefined);
    await gone.close();

    // Act
    const error = await get(sendHttp, gone.url).then(
      () => undefined,
      (cause: unknown) => cause,
    );

    // Assess
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(wasNeverConnected(error)).toBe(true);
  });

  it('retries a change plan whose connection was refused (never connected) and reports kind network', async () => {
    // Prepare
    const gone = await startServer(() => undefined);
    await gone.close();
    const client = createMarketplaceClient({ baseUrl: `${gone.url}/api`, credential: createFakeCredential(), maxAttempts: 2, sleep: () => Promise.resolve() });

    // Act
    const result = client.changePlan(SUBSCRIPTION_ID, 'gold');

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'network', attempts: 2, cause: { code: 'ECONNREFUSED' } });
  });

  it('rejects a connection reset before the answer with an error read as connected', async () => {
    // Prepare
    const server = track(await startServer((req) => req.socket.destroy()));

    // Act
    const error = await get(sendHttp, server.url).then(
      () => undefined,
      (cause: unknown) => cause,
    );

    // Assess
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(wasNeverConnected(error)).toBe(false);
  });

  it('rejects a body cut short by the server', async () => {
    // Prepare
    const server = track(
      await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"only":"part"', () => res.socket?.destroy());
      }),
    );

    // Act
    const result = get(sendHttp, server.url);

    // Assess
    await expect(result).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('gives the client a timeout (not retried for change plan) when the answer does not come in time, and frees the socket', async () => {
    // Prepare
    const server = track(await startServer(() => undefined));
    const agents = trackAgents(freshAgents());
    const client = createMarketplaceClient({
      baseUrl: `${server.url}/api`,
      credential: createFakeCredential(),
      requestTimeoutMs: 100,
      http: createHttpSender(agents),
      sleep: () => Promise.resolve(),
    });

    // Act
    const result = client.changePlan(SUBSCRIPTION_ID, 'gold');

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'timeout', attempts: 1, cause: { name: 'TimeoutError' } });
    expect(pooledSockets(agents.http).every((socket) => socket.destroyed)).toBe(true);
    await server.closed(0);
    expect(server.ports).toHaveLength(1);
    await expect(agentEmptied(agents.http)).resolves.toBe(true);
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    // Prepare
    const server = track(await startServer((_req, res) => res.end('{}')));
    const send = createHttpSender(trackAgents(freshAgents()));

    // Act
    for (let i = 0; i < 3; i++) await get(send, server.url);

    // Assess
    expect(server.ports).toHaveLength(3);
    expect(new Set(server.ports).size).toBe(1);
  });

  it('keeps a slow answer alive past the idle-connection timeout', async () => {
    // Prepare
    const server = track(await startServer((_req, res) => setTimeout(() => res.end('late but fine'), 300)));
    const send = createHttpSender(trackAgents(freshAgents({ timeout: 100 })));

    // Act
    const response = await get(send, server.url);

    // Assess
    expect(response.text).toBe('late but fine');
  });

  it('closes an idle pooled connection after the agent timeout', async () => {
    // Prepare
    const server = track(await startServer((_req, res) => res.end('{}')));
    const agents = trackAgents(freshAgents({ timeout: 100 }));
    await get(createHttpSender(agents), server.url);
    const pooled = pooledSockets(agents.http).length;

    // Act
    await server.closed(0);

    // Assess
    expect(pooled).toBe(1);
    await expect(agentEmptied(agents.http)).resolves.toBe(true);
  });

  it('reads a large body whose multi-byte characters straddle chunks, in full, as UTF-8', async () => {
    // Prepare
    const text = `${'é€😀'.repeat(150_000)}end`;
    const bytes = Buffer.from(text, 'utf8');
    const server = track(
      await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        // Odd-sized chunks cut characters in half.
        for (let at = 0; at < bytes.length; at += 4093) res.write(bytes.subarray(at, at + 4093));
        res.end();
      }),
    );

    // Act
    const response = await get(sendHttp, server.url);

    // Assess
    expect(response.text.length).toBe(text.length);
    expect(response.text === text).toBe(true);
  });

  it('decodes like fetch: byte order mark dropped, invalid bytes replaced, gzip undone', async () => {
    // Prepare
    const bodies = [Buffer.from('\ufeff{"a":1}', 'utf8'), Buffer.from([0x7b, 0xff, 0x7d]), gzipSync('{"zipped":true}')];
    const server = track(
      await startServer((req, res) => {
        const index = Number(req.url?.slice(1));
        res.writeHead(200, index === 2 ? { 'content-encoding': 'gzip' } : {});
        res.end(bodies[index]);
      }),
    );

    // Act
    const texts = [];
    for (const index of [0, 1, 2]) texts.push((await get(sendHttp, `${server.url}/${index}`)).text);

    // Assess
    expect(texts).toEqual(['{"a":1}', '{\ufffd}', '{"zipped":true}']);
  });

  it('returns the response headers as a Headers object and sends the body with a Content-Length', async () => {
    // Prepare
    const received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = track(
      await startServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(202, [
            ['Operation-Location', 'https://example.test/op'],
            ['x-ms-requestid', 'r-1'],
            ['Set-Cookie', 'a=1'],
            ['Set-Cookie', 'b=2'],
          ]);
          res.end();
        });
      }),
    );

    // Act
    const response = await sendHttp(server.url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'x-ms-correlationid': 'c-1' },
      body: '{"planId":"gölд"}',
      signal: new AbortController().signal,
    });
    await sendHttp(server.url, { method: 'PATCH', headers: {}, signal: new AbortController().signal });

    // Assess
    expect(response.status).toBe(202);
    expect(response.headers).toBeInstanceOf(Headers);
    expect(response.headers.get('operation-location')).toBe('https://example.test/op');
    expect(response.headers.get('X-MS-REQUESTID')).toBe('r-1');
    expect(response.text).toBe('');
    expect(received[0]).toMatchObject({ method: 'PATCH', body: '{"planId":"gölд"}' });
    expect(received[0]!.headers).toMatchObject({ 'content-length': String(Buffer.byteLength('{"planId":"gölд"}')), 'x-ms-correlationid': 'c-1' });
    expect(received[0]!.headers['user-agent']).toBeTruthy();
    expect(received[1]!.headers).toMatchObject({ 'content-length': '0' });
    expect(received[1]!.headers['transfer-encoding']).toBeUndefined();
  });

  describe('over https', () => {
    let tls: TlsMaterial;
    let server: TestServer;

    beforeAll(async () => {
      tls = await ensureTlsMaterial();
      server = await listen(https.createServer({ cert: tls.cert, key: tls.key }), 'https', (_req, res) => res.end('{"secure":true}'));
    });

    afterAll(async () => {
      await server.close();
      await tls.dispose();
    });

    it('sends over TLS to a server whose CA the agent trusts, on one kept-alive connection', async () => {
      // Prepare
      const send = createHttpSender(trackAgents(freshAgents({ ca: await readFile(tls.caCertPath, 'utf8') })));
      const before = server.ports.length;

      // Act
      const texts = [(await get(send, server.url)).text, (await get(send, server.url)).text];

      // Assess
      expect(texts).toEqual(['{"secure":true}', '{"secure":true}']);
      expect(new Set(server.ports.slice(before)).size).toBe(1);
    });

    it('refuses a certificate outside the default CA store', async () => {
      // Prepare
      const before = server.ports.length;

      // Act
      const result = get(sendHttp, server.url);

      // Assess
      await expect(result).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNED|VERIFY/) });
      expect(server.ports.length).toBe(before);
    });

    it('trusts NODE_EXTRA_CA_CERTS with the default agents (as the local stack relies on)', async () => {
      // Prepare: the sender compiled on its own (it imports only node: modules), run in a process started with the CA.
      const dir = await mkdtemp(path.join(tmpdir(), 'http-sender-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const source = path.join(__dirname, '../../../shared/marketplace/httpSender.ts');
      const { code } = transformFileSync(source, { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } });
      await writeFile(path.join(dir, 'httpSender.js'), code);
      const script = [
        "const { sendHttp } = require('./httpSender.js');",
        `sendHttp(${JSON.stringify(server.url)}, { method: 'GET', headers: {}, signal: new AbortController().signal })`,
        '  .then((r) => { console.log(JSON.stringify({ status: r.status, text: r.text })); process.exit(0); },',
        '        (e) => { console.log(JSON.stringify({ error: String(e.code ?? e) })); process.exit(0); });',
      ].join('\n');
      await writeFile(path.join(dir, 'main.js'), script);

      // Act
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, 'main.js')], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath },
      });

      // Assess
      expect(JSON.parse(stdout.trim())).toEqual({ status: 200, text: '{"secure":true}' });
    });
  });
});
