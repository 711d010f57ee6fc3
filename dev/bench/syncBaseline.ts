import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';

/**
 * The synchronous baseline of the webhook bench (never part of the app): a plain node:http handler
 * that does the whole job inside the request, as the SaaS Accelerator does: Get Operation on the
 * emulator, one Azurite table row, PATCH the operation, then 200. No token check, no ledger, no
 * queue, no convergence, no history: the least a synchronous handler can do. It runs in a process
 * of its own (this file, started directly) so that its CPU time can be read from /proc.
 */
const INPUT = 'SYNC_BASELINE_INPUT';

interface BaselineInput {
  apiBaseUrl: string;
  token: string;
  storage: string;
}

export interface RunningBaseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function startSyncBaseline(input: BaselineInput): Promise<RunningBaseline> {
  const child: ChildProcess = spawn(process.execPath, [__filename], { env: { ...process.env, [INPUT]: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the baseline exited with ${String(code)}: ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1] === undefined || child.pid === undefined) return;
      child.removeAllListeners('exit');
      resolve({
        url: match[1],
        pid: child.pid,
        stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
      });
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

async function serve(input: BaselineInput): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const table = TableClient.fromConnectionString(input.storage, 'baselineoperations', { allowInsecureConnection: true });
  await table.createTable();
  const call = (method: string, url: string, body?: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { authorization: `Bearer ${input.token}` };
      if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      const req = httpRequest(url, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(body);
    });
  const server = createServer((req, res) => {
    void (async () => {
      const payload = JSON.parse(await readBody(req)) as { id: string; subscriptionId: string; action: string };
      const url = `${input.apiBaseUrl}/saas/subscriptions/${payload.subscriptionId}/operations/${payload.id}?api-version=2018-08-31`;
      const operation = await call('GET', url);
      if (operation.status !== 200) {
        res.writeHead(404).end();
        return;
      }
      await table.createEntity({ partitionKey: payload.id, rowKey: 'operation', subscriptionId: payload.subscriptionId, action: payload.action, state: 'Completed', receivedAt: new Date().toISOString() });
      const patched = await call('PATCH', url, JSON.stringify({ status: 'Success' }));
      res.writeHead(patched.status === 200 ? 200 : 502).end();
    })().catch(() => res.writeHead(500).end());
  });
  server.keepAliveTimeout = 60_000; // the bench's keep-alive client must not race the server closing idle sockets
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (require.main === module) {
  serve(JSON.parse(process.env[INPUT] ?? '{}') as BaselineInput).catch((error: unknown) => {
    process.stderr.write(`baseline failed: ${String(error)}\n`);
    process.exit(1);
  });
}
