import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReadinessReport } from '../shared/readiness';
import { watchParent } from './parentWatch';
import { readLocalSettings, startStack, type RunningStack } from './stack';

/**
 * `npm start`: Azurite, the Marketplace emulator and the local Functions host on 127.0.0.1, wired
 * together; prints every URL, a ready-made demo purchase link and, when the stack is not ready, the
 * checks that fail and what to fix. Ctrl-C, SIGTERM, SIGHUP (a closed terminal) or the end of the
 * process that started it stop everything; Azurite and the host also stop on their own if this
 * process is killed outright (they watch their parent).
 */
const PORT_SETTINGS = { hostPort: ['FUNCTIONS_HOST_PORT', 7071], emulatorPort: ['EMULATOR_PORT', 7072], authorityPort: ['EMULATOR_AUTHORITY_PORT', 7073] } as const;

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number from 0 to 65535 (got ${JSON.stringify(text)})`);
  return value;
}

async function main(): Promise<void> {
  const appDir = path.resolve(__dirname, '..', '..');
  const stackFile = path.join(appDir, '.tmp', 'local-stack.json');
  // A closed terminal turns writes into EIO/EPIPE errors: they must not crash the shutdown.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  let stack: RunningStack | undefined;
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) {
      process.stderr.write(`${why} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\nStopping (${why})…\n`);
    rmSync(stackFile, { force: true });
    // Still starting: exit now; Azurite and the host see their parent gone and stop themselves.
    if (stack === undefined) process.exit(1);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // `npm start` runs this with exec, so the parent is npm: if npm is killed outright, stop too.
  watchParent(() => stop('the process that started it is gone'));

  const began = Date.now();
  let overrides: Record<string, string>;
  try {
    overrides = readLocalSettings(appDir);
    stack = await startStack({
      appDir,
      settingsOverrides: overrides,
      hostPort: port(...PORT_SETTINGS.hostPort),
      emulatorPort: port(...PORT_SETTINGS.emulatorPort),
      authorityPort: port(...PORT_SETTINGS.authorityPort),
      onHostOutput: (line) => process.stdout.write(`[host] ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`Could not start the local stack: ${(error as Error).message}\n`);
    process.exit(1);
  }

  // Where `npm run demo` and other tools find the running stack.
  mkdirSync(path.dirname(stackFile), { recursive: true });
  writeFileSync(stackFile, JSON.stringify({ hostUrl: stack.hostUrl, emulatorUrl: stack.emulator.url, storageConnectionString: stack.azurite.connectionString }));

  const overridden = Object.keys(overrides);
  const [demo, readiness] = await Promise.all([
    purchaseDemo(stack).catch((error: unknown) => `(demo purchase failed: ${(error as Error).message})`),
    readinessOf(stack).catch((error: unknown) => `readiness could not be checked: ${(error as Error).message}`),
  ]);
  const { emulator, azurite, hostUrl } = stack;
  process.stdout.write(
    [
      '',
      `saas-fulfillment is running (started in ${((Date.now() - began) / 1000).toFixed(1)} s)`,
      '',
      `  Functions host      ${hostUrl}/api/…   (health: ${hostUrl}/api/health, readiness: ${hostUrl}/api/health/ready)`,
      `  Marketplace emulator ${emulator.url}/        (page to purchase and fire lifecycle actions)`,
      `    Marketplace API   ${emulator.apiBaseUrl}`,
      `    Control API       ${emulator.url}/control/…`,
      `    Entra authority   ${emulator.authorityUrl}   JWKS ${emulator.jwksUrl}`,
      `  Azurite             queues ${azurite.queueEndpoint}   tables ${azurite.tableEndpoint}`,
      overridden.length > 0 ? `  local.settings.json overrides: ${overridden.join(', ')}` : '  (no local.settings.json overrides: all settings point at the local stack)',
      `  Function keys       ${stack.settings.FUNCTIONS_MASTER_KEY === undefined ? 'off (set FUNCTIONS_MASTER_KEY in local.settings.json to turn them on)' : 'on'}`,
      '',
      `Demo purchase (open in a browser): ${demo}`,
      '',
      ...unreadyWarning(readiness, overridden),
      'Run `npm run demo` in another terminal to drive a whole lifecycle. Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

/** GET /api/health/ready on the host (with the master key when keys are on). */
async function readinessOf(stack: RunningStack): Promise<ReadinessReport> {
  const key = stack.settings.FUNCTIONS_MASTER_KEY;
  const response = await fetch(`${stack.hostUrl}/api/health/ready`, { headers: key === undefined ? {} : { 'x-functions-key': key }, signal: AbortSignal.timeout(20_000) });
  if (response.status !== 200 && response.status !== 503) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as ReadinessReport;
}

/** Nothing when ready; otherwise the failing checks, each with what to fix. */
function unreadyWarning(readiness: ReadinessReport | string, overridden: readonly string[]): string[] {
  if (typeof readiness === 'string') return [`WARNING: ${readiness}`, ''];
  if (readiness.status === 'ready') return [];
  const failing = readiness.checks.filter((check) => check.status === 'fail');
  return [
    `WARNING: the stack started but is NOT READY; failing checks: ${failing.map((check) => check.name).join(', ')}`,
    ...failing.map((check) => `  - ${check.name}: ${check.reason}`),
    overridden.length > 0
      ? `  These settings come from local.settings.json: ${overridden.join(', ')}. An empty value there keeps the local stack's own wiring.`
      : '',
    '',
  ];
}

async function purchaseDemo(stack: RunningStack): Promise<string> {
  const offer = stack.emulator.catalog.offers[0];
  const plan = offer?.plans.find((p) => !p.isPrivate && !p.isPricePerSeat) ?? offer?.plans[0];
  if (offer === undefined || plan === undefined) throw new Error('the emulator catalog is empty');
  const response = await fetch(`${stack.emulator.url}/control/purchases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ offerId: offer.offerId, planId: plan.planId, quantity: plan.isPricePerSeat ? plan.minQuantity : undefined }),
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  const body = (await response.json()) as { landingUrl: string };
  return body.landingUrl;
}

void main();
