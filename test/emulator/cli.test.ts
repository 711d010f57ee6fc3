import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseCliOptions } from '../../dev/emulator/main';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const COMPILED_CLI = path.join(REPO_ROOT, 'dist', 'dev', 'emulator', 'main.js');

describe('emulator CLI', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'emulator-cli-test-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads options from flags first, then EMULATOR_* variables, then defaults', () => {
    // Act
    const cli = parseCliOptions(['--port', '9001', '--token-version', 'v1', '--subscribe-webhook'], {
      EMULATOR_PORT: '9999',
      EMULATOR_ACK_WINDOW_MS: '2500',
      EMULATOR_WEBHOOK_URL: 'http://127.0.0.1:7071/api/webhook',
    });

    // Assess
    expect(cli.options).toMatchObject({
      port: 9001,
      authorityPort: 7073,
      ackWindowMs: 2500,
      tokenVersion: 'v1',
      subscribeWebhook: true,
      webhookUrl: 'http://127.0.0.1:7071/api/webhook',
    });
    expect(cli.options.certDir).toContain('saas-fulfillment-emulator-tls');
    expect(cli.logLevel).toBe('info');
  });

  it('names every invalid option in one error', () => {
    // Act
    const parse = () => parseCliOptions(['--port', 'seventy', '--token-version', 'v3'], {});

    // Assess
    expect(parse).toThrow(/--port.*--token-version|--token-version.*--port/);
  });

  it('loads a catalog file and validates it', async () => {
    // Prepare
    const file = path.join(dir, 'catalog.json');
    await writeFile(file, JSON.stringify({ publisherId: 'fabrikam', offers: [{ offerId: 'o', displayName: 'O', plans: [{ planId: 'p', displayName: 'P', recurrentBillingTerms: [{ termUnit: 'P1M', price: 1, termDescription: 'm' }] }] }] }));
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ publisherId: 'fabrikam', offers: [] }));

    // Act
    const cli = parseCliOptions(['--catalog', file], {});

    // Assess
    expect(cli.options.catalog).toMatchObject({ publisherId: 'fabrikam', offers: [{ offerId: 'o', plans: [{ planId: 'p', isPrivate: false }] }] });
    expect(() => parseCliOptions(['--catalog', broken], {})).toThrow();
  });

  it('starts the compiled entry point on loopback, serves the page and stops on SIGTERM', async () => {
    // Prepare
    expect(existsSync(COMPILED_CLI)).toBe(true);
    const child = spawn(process.execPath, [COMPILED_CLI, '--port', '0', '--authority-port', '0', '--cert-dir', dir, '--log-level', 'warn'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Act
    const pageUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Control page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`CLI exited early: ${output}`)));
    });
    const page = await fetch(pageUrl);
    child.kill('SIGTERM');

    // Assess
    expect(page.status).toBe(200);
    expect(existsSync(path.join(dir, 'ca.pem'))).toBe(true);
    await expect(exited).resolves.toBe(0);
  });
});
