import { randomUUID } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageApp, probeRegistrations, type PackageResult } from '../../dev/package/package';
import { startStack, type RunningStack } from '../../dev/stack';
import { eventually } from '../support/eventually';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlpReceiver';

/**
 * What ships is what we test: `npm run package` builds build/app/, the local host serves that
 * folder (its package.json, host.json and main.js, nothing from dist/ or node_modules), and the
 * real smoke script checks it with function keys on.
 */
const root = path.resolve(__dirname, '..', '..');
const appDir = path.join(root, 'build', 'app');
const MASTER_KEY = 'artifact-test-master-key-0123456789';
const FUNCTION_KEY = 'artifact-test-function-key-0123456789';

let packaged: PackageResult;
let stack: RunningStack;
let otlp: OtlpReceiver;

beforeAll(async () => {
  packaged = await packageApp({ root });
  // Telemetry on, so the OTLP exporters load from lazy.js and export through main.js's SDK.
  otlp = await startOtlpReceiver();
  stack = await startStack({
    appDir: root,
    hostPort: 0,
    emulatorPort: 0,
    authorityPort: 0,
    settingsOverrides: {
      RECONCILE_EVERY_HOURS: '0',
      FUNCTIONS_MASTER_KEY: MASTER_KEY,
      FUNCTIONS_FUNCTION_KEY: FUNCTION_KEY,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    },
    hostArgs: ['--app-dir', appDir, '--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.500'],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await otlp?.close();
});

describe('the deployment artifact', () => {
  it('holds only host.json, package.json, main.js, lazy.js, their maps and the third-party licences, with no dependency to install', () => {
    // Assess
    expect(readdirSync(appDir).sort()).toEqual(['THIRD-PARTY-NOTICES.txt', 'host.json', 'lazy.js', 'lazy.js.map', 'main.js', 'main.js.map', 'package.json']);
    const manifest = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.main).toBe('main.js');
    expect(manifest.dependencies).toEqual({});
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
    expect(existsSync(path.join(appDir, 'node_modules'))).toBe(false);
    expect(readFileSync(path.join(appDir, 'main.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=main\.js\.map\s*$/);
    expect(readFileSync(path.join(appDir, 'lazy.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=lazy\.js\.map\s*$/);
    expect(packaged.functionCount).toBeGreaterThanOrEqual(20);
    const notices = readFileSync(path.join(appDir, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    const packages = new Set([...Object.keys(packaged.inputsByPackage), ...Object.keys(packaged.lazyInputsByPackage)]);
    packages.delete('(app)');
    for (const name of packages) expect(notices).toContain(`${name}@`);
    // dev tools never ship: nothing from dev/ or test/ is among the bundled sources
    const sourcesOf = (file: string): string[] => (JSON.parse(readFileSync(path.join(appDir, file), 'utf8')) as { sources: string[] }).sources;
    const mainSources = sourcesOf('main.js.map');
    const lazySources = sourcesOf('lazy.js.map');
    expect(mainSources.some((s) => s.includes('shared/config.ts'))).toBe(true);
    for (const sources of [mainSources, lazySources]) expect(sources.filter((s) => /(^|\/)(dev|test)\//.test(s) && !s.includes('node_modules'))).toEqual([]);
    // of zod's error-message locales only English ships (the one the app speaks)
    expect(mainSources.filter((s) => s.includes('node_modules/zod/v4/locales/'))).toEqual(['../../node_modules/zod/v4/locales/en.cjs']);
    expect(mainSources.filter((s) => /zod[\\/]v4[\\/]locales[\\/]/.test(s) && !s.endsWith('en.cjs') && !s.endsWith('(English only)'))).toEqual([]);
  });

  it('keeps the packages used on first use out of main.js: they are in lazy.js, once, and OpenTelemetry is not copied', () => {
    // Assess
    expect(packaged.lazyPackages).toEqual(expect.arrayContaining(['@azure/data-tables', '@azure/storage-queue', '@azure/identity', 'jose']));
    for (const name of ['@azure/data-tables', '@azure/storage-queue', '@azure/identity', '@azure/msal-node', 'jose']) {
      expect(packaged.inputsByPackage[name]).toBeUndefined();
      expect(packaged.lazyInputsByPackage[name]).toBeGreaterThan(0);
    }
    // lazy.js takes main.js's OpenTelemetry API and SDK instead of bundling a second copy
    expect(packaged.inputsByPackage['@opentelemetry/api']).toBeGreaterThan(1);
    expect(packaged.lazyInputsByPackage['@opentelemetry/api']).toBeUndefined();
    expect(packaged.lazyInputsByPackage['@opentelemetry/sdk-metrics']).toBeUndefined();
  });

  // Loads main.js with a stand-in for @azure/functions-core, then runs `act` (a script body with
  // `registered`, the registered handlers, and `main`, main.js's exports) and prints the stack of
  // what it throws.
  const stackOf = (act: string, flags: string[]): string => {
    const script = `
      const Module = require('node:module');
      const registered = new Map();
      const core = { version: 'x', hostVersion: 'x', Disposable: class { dispose() {} },
        registerFunction: (m, cb) => { registered.set(m.name, cb); return { dispose() {} }; },
        registerHook: () => ({ dispose() {} }), setProgrammingModel() {}, getProgrammingModel() {}, log() {} };
      const original = Module.prototype.require;
      Module.prototype.require = function (id) { return id === '@azure/functions-core' ? core : original.apply(this, arguments); };
      const main = require('./main.js');
      Promise.resolve().then(async () => { ${act} }).then(() => process.exit(3), (error) => { process.stdout.write(error.stack); });`;
    return spawnSync(process.execPath, [...flags, '-e', script], { cwd: appDir, encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout;
  };

  it('maps a stack trace thrown inside main.js to the TypeScript source with --enable-source-maps', () => {
    // Arrange: call the emitUsage timer handler with no settings at all, so getConfig throws
    const act = `await registered.get('emitUsage')({}, { log() {}, error() {}, warn() {}, info() {}, debug() {}, trace() {} });`;

    // Act
    const mapped = stackOf(act, ['--enable-source-maps']);
    const unmapped = stackOf(act, []);

    // Assess
    expect(mapped).toMatch(/ConfigurationError/);
    expect(mapped).toMatch(/at loadConfig \(.*[\\/]shared[\\/]config\.ts:\d+:\d+\)/);
    expect(unmapped).toMatch(/main\.js:\d+:\d+/);
    expect(unmapped).not.toMatch(/config\.ts/);
  });

  it('maps a stack trace thrown inside lazy.js to the package source with --enable-source-maps', () => {
    // Arrange: the tables SDK, loaded from lazy.js as an invocation loads it, refuses a bad connection string
    const act = `main.__loadLazy('@azure/data-tables').TableClient.fromConnectionString('not a connection string', 'table');`;

    // Act
    const mapped = stackOf(act, ['--enable-source-maps']);
    const unmapped = stackOf(act, []);

    // Assess
    expect(mapped).toMatch(/node_modules[\\/]@azure[\\/]data-tables[\\/]/);
    expect(mapped).not.toMatch(/lazy\.js:\d+/);
    expect(unmapped).toMatch(/lazy\.js:\d+:\d+/);
  });
});

describe('registration without telemetry', () => {
  it('loads no OpenTelemetry package when no exporter is configured (the unbundled build, whose files show which packages load)', () => {
    // Act: a fresh process with no settings loads every function file, as the worker does at start.
    const probe = probeRegistrations(root, ['dist/functions/*.js'], root);

    // Assess
    expect(probe.functions).toHaveLength(packaged.functionCount);
    expect(probe.packagesLoaded).toContain('@azure/functions');
    expect(probe.packagesLoaded.filter((name) => name.startsWith('@opentelemetry/'))).toEqual([]);
  });
});

describe('the local host serving build/app/', () => {
  it('loaded the bundle, not the unbundled build', async () => {
    // Act
    const response = await fetch(`${stack.hostUrl}/admin/functions`, { headers: { 'x-functions-key': MASTER_KEY } });

    // Assess
    expect(response.status).toBe(200);
    const functions = (await response.json()) as Array<{ name: string }>;
    expect(functions).toHaveLength(packaged.functionCount);
    expect(stack.hostOutput()).not.toMatch(/dist[\\/]functions/);
  });

  it('passes the smoke script (run as a user runs it, with keys on so the admin check is real)', async () => {
    // Act
    const smoke = path.join(root, 'dist', 'dev', 'smoke.js');
    const { stdout } = await promisify(execFile)(process.execPath, [smoke, stack.hostUrl, '--key', FUNCTION_KEY], { encoding: 'utf8' });

    // Assess (execFile rejects on a non-zero exit code)
    expect(stdout).toMatch(/PASS {2}health: 200/);
    expect(stdout).toMatch(/PASS {2}webhook without a token: 401/);
    expect(stdout).toMatch(/PASS {2}webhook with a forged token: 401/);
    expect(stdout).toMatch(/PASS {2}landing page without a token: 400 with the HTML page/);
    expect(stdout).toMatch(/PASS {2}OpenAPI document: 200, OpenAPI 3/);
    expect(stdout).toMatch(/PASS {2}admin endpoints without a key: 401/);
    expect(stdout).toMatch(/^6 passed, 0 failed$/m);
  });

  it('fails the smoke script, with exit code 1, when admin endpoints answer without a key', async () => {
    // Arrange: the same app on a host without keys (authorization off, as Core Tools does by default)
    const open = await startStack({ appDir: root, hostPort: 0, emulatorPort: 0, authorityPort: 0, settingsOverrides: { RECONCILE_EVERY_HOURS: '0' }, hostArgs: ['--app-dir', appDir] });
    try {
      // Act (asynchronously: the emulator answering the key-set fetch runs in this process)
      const result = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = execFile(process.execPath, [path.join(root, 'dist', 'dev', 'smoke.js'), open.hostUrl], { encoding: 'utf8' }, (_error, stdout) => resolve({ status: child.exitCode, stdout }));
      });

      // Assess
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/FAIL {2}admin endpoints without a key: expected 401: \/api\/subscriptions\?pageSize=1: 200/);
      expect(result.stdout).toMatch(/PASS {2}OpenAPI document: 200/);
      expect(result.stdout).toMatch(/^5 passed, 1 failed$/m);
    } finally {
      await open.stop();
    }
  }, 120_000);

  it("answers a malformed admin request with zod's English message, from the one locale the artifact ships", async () => {
    // Act
    const response = await fetch(`${stack.hostUrl}/api/subscriptions/${randomUUID()}/quantity`, {
      method: 'POST',
      headers: { 'x-functions-key': FUNCTION_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 2, seats: 3 }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Unrecognized key: \\?"seats\\?"/);
  });

  it('runs a purchase end to end: the landing page, then activation through the activations queue', async () => {
    // Arrange
    const bought = (await (
      await fetch(`${stack.emulator.url}/control/purchases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offerId: 'contoso-analytics', planId: 'starter' }) })
    ).json()) as { subscriptionId: string; landingUrl: string };

    // Act
    const landing = await fetch(bought.landingUrl);

    // Assess: the page, then the queue-triggered activation reaching Microsoft (the emulator)
    expect(landing.status).toBe(200);
    expect(await landing.text()).toMatch(/<html/i);
    await eventually(
      'the emulator sees the subscription activated',
      async () => {
        const detail = (await (await fetch(`${stack.emulator.url}/control/subscriptions/${bought.subscriptionId}`)).json()) as { subscription: { saasSubscriptionStatus: string } };
        return detail.subscription.saasSubscriptionStatus === 'Subscribed' ? true : undefined;
      },
      30_000,
    );
    // The record turns Subscribed just after Microsoft's Activate answers.
    await eventually(
      'the stored subscription is Subscribed',
      async () => {
        const detail = await fetch(`${stack.hostUrl}/api/subscriptions/${bought.subscriptionId}`, { headers: { 'x-functions-key': FUNCTION_KEY } });
        expect(detail.status).toBe(200);
        const { subscription } = (await detail.json()) as { subscription: { status: string } };
        return subscription.status === 'Subscribed' ? true : undefined;
      },
      10_000,
    );
  });

  it('exports telemetry through the OTLP exporters loaded from lazy.js and main.js\'s OpenTelemetry SDK', async () => {
    // Act: the purchase above produced a landing-page request, an activation and its metrics
    // Assess
    await eventually('spans of the landing page and the activation arrive', () => {
      const names = new Set(otlp.spans.map((span) => span.name));
      return names.has('GET /api/landing') && names.has('process activations') ? true : undefined;
    }, 20_000);
    await eventually('the activation metric arrives', () => (otlp.metricNames.has('activation.completed') ? true : undefined), 20_000);
  });
});
