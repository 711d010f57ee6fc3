import { spawn } from 'node:child_process';
import path from 'node:path';
import { startStack, type RunningStack } from '../../dev/stack';
import { createUsageStore } from '../../shared/metering/createUsageStore';
import { waitFor } from './harness';
import { closedHour, controlApi, hourIn, postUsage, purchaseForMetering, runEmission, type StackAddresses } from './support/meteringSession';

// This file runs its own stack: it kills the Functions host and moves the emulator's clock, which
// would disturb the tests sharing the run's stack.
const root = path.resolve(__dirname, '..', '..');
let stack: RunningStack;
let addresses: StackAddresses;
const extraHosts: Array<() => Promise<void>> = [];
let replacementUrl: string | undefined;

beforeAll(async () => {
  stack = await startStack({ appDir: root, hostPort: 0, emulatorPort: 0, authorityPort: 0, settingsOverrides: { METERING_CLAIM_TIMEOUT_SECONDS: '5' } });
  addresses = { hostUrl: stack.hostUrl, emulatorUrl: stack.emulator.url, emulatorApiUrl: stack.emulator.apiBaseUrl, storageConnectionString: stack.azurite.connectionString, settings: { ...stack.settings } };
}, 60_000);

afterAll(async () => {
  for (const stop of extraHosts) await stop();
  await stack.stop();
}, 60_000);

/** A second Functions host on the same storage and emulator (what a restart after a crash is). */
function startReplacementHost(): Promise<string> {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'dev', 'host', 'main.js'), '--port', '0'], {
    cwd: root,
    env: { ...process.env, ...stack.settings, NODE_EXTRA_CA_CERTS: stack.emulator.caCertPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  extraHosts.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Host listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        replacementUrl = match[1];
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`replacement host exited with ${String(code)}: ${output}`)));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface EmulatorUsage {
  usageEventId: string;
  quantity: number;
}

describe('usage metering end to end (own stack)', () => {
  jest.setTimeout(90_000);

  it('emits an hour exactly once when the host is killed mid-emission and restarted', async () => {
    // Prepare
    const subscriptionId = await purchaseForMetering(addresses);
    const { hour, at } = closedHour();
    await postUsage(addresses, [{ subscriptionId, dimension: 'api-calls', quantity: 12, timestamp: at(30), id: 'crash-1' }]);
    await controlApi(addresses, '/faults', { body: { kind: 'http', method: 'POST', path: '/api/batchUsageEvent', latencyMs: 3_000, times: 1 } });
    const usageOf = async () => (await controlApi<{ usage: EmulatorUsage[] }>(addresses, `/subscriptions/${subscriptionId}`)).usage;

    // Act: the host sends the batch, is killed while Microsoft is still answering, and comes back
    await runEmission(addresses);
    await waitFor('the batch to reach the emulator', async () => ((await controlApi<{ log: Array<{ path: string }> }>(addresses, '/faults')).log.some((e) => e.path === '/api/batchUsageEvent') ? true : undefined));
    process.kill(stack.hostPid as number, 'SIGKILL');
    await waitFor('the host to be gone', () => (isRunning(stack.hostPid as number) ? undefined : true));
    const heldByMicrosoft = await waitFor('the emulator to accept the event', async () => {
      const usage = await usageOf();
      return usage.length === 1 ? usage : undefined;
    });
    const left = await createUsageStore({ connectionString: stack.azurite.connectionString }).getBucket({ subscriptionId, dimension: 'api-calls', hour });
    const restarted = { ...addresses, hostUrl: await startReplacementHost() };
    const settled = await waitFor(
      'the restarted host to settle the hour',
      async () => {
        await runEmission(restarted);
        return hourIn(restarted, subscriptionId, hour, 'api-calls', ['Emitted', 'Duplicate', 'Rejected']);
      },
      { timeoutMs: 40_000, intervalMs: 1_000 },
    );

    // Assess
    expect(left?.value).toMatchObject({ state: 'Emitting', attempts: 1 });
    expect(settled).toMatchObject({ status: 'Duplicate', usageEventId: heldByMicrosoft[0]?.usageEventId, billedQuantity: 12, sentQuantity: 12, unbilledQuantity: 0 });
    expect(settled?.attempts).toBeGreaterThanOrEqual(2);
    expect(await usageOf()).toHaveLength(1);
  });

  it('records an hour Microsoft refuses as expired, without retrying it', async () => {
    // Prepare
    const hostUrl = isRunning(stack.hostPid as number) ? stack.hostUrl : (replacementUrl ?? (await startReplacementHost()));
    const live = { ...addresses, hostUrl };
    const subscriptionId = await purchaseForMetering(live);
    const { hour, at } = closedHour();
    await postUsage(live, [{ subscriptionId, dimension: 'storage-gb', quantity: 3, timestamp: at(15) }]);
    await controlApi(live, '/clock', { body: { advanceMs: 23 * 3_600_000 } });

    // Act
    await runEmission(live);
    const refused = await waitFor('the hour to be refused', () => hourIn(live, subscriptionId, hour, 'storage-gb', ['Emitted', 'Duplicate', 'Rejected']));

    // Assess
    expect(refused).toMatchObject({ status: 'Rejected', marketplaceStatus: 'Expired', billedQuantity: 0, unbilledQuantity: 3, lastError: { code: 'Expired' } });
    expect((await controlApi<{ usage: unknown[] }>(live, `/subscriptions/${subscriptionId}`)).usage).toEqual([]);
  });
});
