import { spawn } from 'node:child_process';
import { codeBlocks, documentationFiles, kindOf, prepare, ROOT } from './support/docExamples';
import { e2eStack, hostFetch, purchase, waitFor } from './harness';

// Every example in README.md and docs/*.md, run against the local stack (convention in
// support/docExamples.ts and in the README), so that none can rot.
jest.setTimeout(120_000);

const files = documentationFiles();

/** The stack's default addresses, as the documentation writes them, and this run's. */
function addresses(): Array<[string, string]> {
  const stack = e2eStack();
  const authority = stack.settings.MARKETPLACE_AUTHORITY_HOST ?? '';
  return [
    ['http://127.0.0.1:7071', stack.hostUrl],
    ['http://127.0.0.1:7072', stack.emulatorUrl],
    ['https://127.0.0.1:7073', authority],
  ];
}

/** An activated per-seat subscription for the examples that act on one (`ID=<…>`). */
async function activeSubscription(): Promise<string> {
  const bought = await purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 12 });
  await fetch(bought.landingUrl);
  await waitFor('the example subscription to be Subscribed', async () => {
    const response = await hostFetch(`/api/subscriptions/${bought.subscriptionId}`);
    if (response.status !== 200) return undefined;
    const detail = (await response.json()) as { subscription: { status: string } };
    return detail.subscription.status === 'Subscribed' ? true : undefined;
  });
  return bought.subscriptionId;
}

/** Runs a bash script without blocking this process (in a single-file run, the emulator lives here). */
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

  const withExamples = files.filter((file) => codeBlocks(file).some((block) => kindOf(block) === 'runnable'));

  it.each(withExamples)('runs every example in %s against the local stack', async (file) => {
    // Prepare
    const key = 'local-example-key';
    const values = { KEY: key, MASTER_KEY: key, ID: await activeSubscription(), MESSAGE_ID: 'no-such-message' };
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
