import { spawn } from 'node:child_process';
import { eventually } from '../support/eventually';
import { codeBlocks, documentationFiles, kindOf, prepare, ROOT } from './docExamples';
import { appCopy, expectAllStopped, killLeftovers, startLocal, writeLocalSettings, type StartedStack } from './localStack';

// Every example in README.md and docs/*.md, run against a local stack of its own (`npm start` from
// a copy of the app, function keys on), so that none can rot. Convention: ./docExamples.ts and the
// README ("Examples in the documentation").
jest.setTimeout(180_000);

const KEY = 'local-example-master-key';
const files = documentationFiles();
let app: ReturnType<typeof appCopy>;
let stack: StartedStack;

beforeAll(async () => {
  app = appCopy();
  writeLocalSettings(app.dir, { FUNCTIONS_MASTER_KEY: KEY });
  stack = await startLocal(app.dir, ['node', 'dist/dev/start.js']);
});

afterAll(async () => {
  if (stack !== undefined) {
    stack.child.kill('SIGTERM');
    await stack.exited;
    await expectAllStopped(stack, [stack.child.pid ?? 0, ...stack.children]).catch(() => killLeftovers(stack));
  }
  app.remove();
});

/** The stack's default addresses, as the documentation writes them, and this stack's. */
function addresses(): Array<[string, string]> {
  const [host, emulator, authority] = stack.ports;
  return [
    ['http://127.0.0.1:7071', `http://127.0.0.1:${host}`],
    ['http://127.0.0.1:7072', `http://127.0.0.1:${emulator}`],
    ['https://127.0.0.1:7073', `https://127.0.0.1:${authority}`],
  ];
}

/** An activated per-seat subscription for the examples that act on one (`ID=<…>`). */
async function activeSubscription(): Promise<string> {
  const emulator = `http://127.0.0.1:${stack.ports[1]}`;
  const bought = (await (
    await fetch(`${emulator}/control/purchases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offerId: 'contoso-seats', planId: 'team', quantity: 12 }) })
  ).json()) as { subscriptionId: string; landingUrl: string };
  await fetch(bought.landingUrl);
  await eventually('the example subscription to be Subscribed', async () => {
    const response = await fetch(`${stack.hostUrl}/api/subscriptions/${bought.subscriptionId}`, { headers: { 'x-functions-key': KEY } });
    if (response.status !== 200) return undefined;
    const detail = (await response.json()) as { subscription: { status: string } };
    return detail.subscription.status === 'Subscribed' ? true : undefined;
  });
  return bought.subscriptionId;
}

/** Runs a bash script without blocking this process. */
function bash(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('examples in the documentation', () => {
  it('marks every code block either runnable (```sh) or not-run', () => {
    // Act
    const unmarked = files.flatMap(codeBlocks).filter((block) => kindOf(block) === 'unmarked');

    // Assess
    expect(unmarked.map((block) => `${block.file}:${block.line} \`\`\`${block.info}`)).toEqual([]);
  });

  it('enforces function keys on the stack the examples run against', async () => {
    // Act
    const withoutKey = await fetch(`${stack.hostUrl}/api/subscriptions`);

    // Assess
    expect(withoutKey.status).toBe(401);
  });

  const withExamples = files.filter((file) => codeBlocks(file).some((block) => kindOf(block) === 'runnable'));

  it.each(withExamples)('runs every example in %s against the local stack', async (file) => {
    // Prepare
    const values = { KEY, MASTER_KEY: KEY, ID: await activeSubscription(), MESSAGE_ID: 'no-such-message' };
    const script = codeBlocks(file)
      .filter((block) => kindOf(block) === 'runnable')
      .map((block) => `echo "::block ${block.file}:${block.line}"\n${prepare(block, values, addresses())}`)
      .join('\n');

    // Act: one bash session, stopping at the first failing command; curl fails on HTTP >= 400
    const run = await bash(`set -euo pipefail\ncurl() { command curl --show-error --fail-with-body "$@"; }\n${script}`);

    // Assess
    const lastBlock = [...run.stdout.matchAll(/::block (\S+)/g)].at(-1)?.[1];
    expect({ status: run.status, failedIn: run.status === 0 ? undefined : lastBlock, stderr: run.status === 0 ? '' : `${run.stdout.slice(-2000)}\n${run.stderr}` }).toEqual({ status: 0, failedIn: undefined, stderr: '' });
  });
});
