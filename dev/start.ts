import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readLocalSettings, startStack, type RunningStack } from './stack';

/**
 * `npm start`: Azurite, the Marketplace emulator and the local Functions host on 127.0.0.1, wired
 * together; prints every URL and a ready-made demo purchase link; Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const appDir = path.resolve(__dirname, '..', '..');
  const overrides = readLocalSettings(appDir);
  const overridden = Object.keys(overrides);
  const began = Date.now();
  let stack: RunningStack;
  try {
    stack = await startStack({
      appDir,
      settingsOverrides: overrides,
      hostPort: Number(process.env.FUNCTIONS_HOST_PORT ?? 7071),
      emulatorPort: Number(process.env.EMULATOR_PORT ?? 7072),
      authorityPort: Number(process.env.EMULATOR_AUTHORITY_PORT ?? 7073),
      onHostOutput: (line) => process.stdout.write(`[host] ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`Could not start the local stack: ${(error as Error).message}\n`);
    process.exit(1);
  }

  // Where `npm run demo` and other tools find the running stack.
  const stackFile = path.join(appDir, '.tmp', 'local-stack.json');
  mkdirSync(path.dirname(stackFile), { recursive: true });
  writeFileSync(
    stackFile,
    JSON.stringify({ hostUrl: stack.hostUrl, emulatorUrl: stack.emulator.url, storageConnectionString: stack.azurite.connectionString }),
  );

  const demo = await purchaseDemo(stack).catch((error: unknown) => `(demo purchase failed: ${(error as Error).message})`);
  const { emulator, azurite, hostUrl } = stack;
  process.stdout.write(
    [
      '',
      `saas-fulfillment is running (started in ${((Date.now() - began) / 1000).toFixed(1)} s)`,
      '',
      `  Functions host      ${hostUrl}/api/…   (health: ${hostUrl}/api/health)`,
      `  Operator console    ${hostUrl}/api/console   (development sign-in: pick a name and a role)`,
      `  Marketplace emulator ${emulator.url}/        (page to purchase and fire lifecycle actions)`,
      `    Marketplace API   ${emulator.apiBaseUrl}`,
      `    Control API       ${emulator.url}/control/…`,
      `    Entra authority   ${emulator.authorityUrl}   JWKS ${emulator.jwksUrl}`,
      `  Azurite             queues ${azurite.queueEndpoint}   tables ${azurite.tableEndpoint}`,
      overridden.length > 0 ? `  local.settings.json overrides: ${overridden.join(', ')}` : '  (no local.settings.json: all settings point at the local stack)',
      '',
      `Demo purchase (open in a browser): ${demo}`,
      '',
      'Run `npm run demo` in another terminal to drive a whole lifecycle. Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    rmSync(stackFile, { force: true });
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
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
