import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { consoleLogger, type LogLevel } from '../../shared/logging';
import { catalogSchema } from './catalog';
import { createEmulator, type EmulatorOptions, type RunningEmulator } from './emulator';

/** CLI flag → environment variable fallback. */
const FLAGS = {
  port: 'EMULATOR_PORT',
  'authority-port': 'EMULATOR_AUTHORITY_PORT',
  'tenant-id': 'EMULATOR_TENANT_ID',
  'app-id': 'EMULATOR_APP_ID',
  'client-secret': 'EMULATOR_CLIENT_SECRET',
  'identity-header': 'EMULATOR_IDENTITY_HEADER',
  'webhook-url': 'EMULATOR_WEBHOOK_URL',
  'landing-page-url': 'EMULATOR_LANDING_PAGE_URL',
  'ack-window-ms': 'EMULATOR_ACK_WINDOW_MS',
  'token-version': 'EMULATOR_TOKEN_VERSION',
  'page-size': 'EMULATOR_PAGE_SIZE',
  'operation-delay-ms': 'EMULATOR_OPERATION_DELAY_MS',
  'subscribe-webhook': 'EMULATOR_SUBSCRIBE_WEBHOOK',
  'cert-dir': 'EMULATOR_CERT_DIR',
  catalog: 'EMULATOR_CATALOG',
  'log-level': 'EMULATOR_LOG_LEVEL',
} as const;

export const USAGE = `Usage: node dist/dev/emulator/main.js [options]   (every option also reads the environment variable shown)
  --port <n>                 HTTP port of the Marketplace API, control API and page (EMULATOR_PORT, default 7072)
  --authority-port <n>       HTTPS port of the Entra-like authority (EMULATOR_AUTHORITY_PORT, default 7073)
  --tenant-id <guid>         publisher tenant (EMULATOR_TENANT_ID)
  --app-id <guid>            publisher app client id (EMULATOR_APP_ID)
  --client-secret <s>        secret the token endpoint accepts (EMULATOR_CLIENT_SECRET)
  --identity-header <s>      X-IDENTITY-HEADER for the managed-identity endpoint (EMULATOR_IDENTITY_HEADER)
  --webhook-url <url>        loopback URL that receives webhooks (EMULATOR_WEBHOOK_URL)
  --landing-page-url <url>   landing page for purchase links (EMULATOR_LANDING_PAGE_URL)
  --ack-window-ms <n>        ChangePlan/ChangeQuantity decision window (EMULATOR_ACK_WINDOW_MS, default 10000)
  --token-version v1|v2      webhook JWT layout (EMULATOR_TOKEN_VERSION, default v2)
  --page-size <n>            list page size (EMULATOR_PAGE_SIZE, default 100)
  --operation-delay-ms <n>   delay before a publisher PATCH/DELETE starts (EMULATOR_OPERATION_DELAY_MS, default 1000)
  --subscribe-webhook        send a Subscribe webhook on activation (EMULATOR_SUBSCRIBE_WEBHOOK=true)
  --cert-dir <dir>           where the TLS CA and certificate are cached (EMULATOR_CERT_DIR, default <tmp>/saas-fulfillment-emulator-tls)
  --catalog <file.json>      catalog to sell instead of the built-in one (EMULATOR_CATALOG)
  --log-level <level>        debug|info|warn|error (EMULATOR_LOG_LEVEL, default info)
  --help`;

const port = z.coerce.number().int().min(0).max(65_535);
const cliSchema = z.object({
  port: port.default(7072),
  'authority-port': port.default(7073),
  'tenant-id': z.string().uuid().optional(),
  'app-id': z.string().uuid().optional(),
  'client-secret': z.string().min(1).optional(),
  'identity-header': z.string().min(1).optional(),
  'webhook-url': z.string().optional(),
  'landing-page-url': z.string().optional(),
  'ack-window-ms': z.coerce.number().int().min(0).optional(),
  'token-version': z.enum(['v1', 'v2']).optional(),
  'page-size': z.coerce.number().int().min(1).max(1000).optional(),
  'operation-delay-ms': z.coerce.number().int().min(0).optional(),
  'subscribe-webhook': z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).optional(),
  'cert-dir': z.string().default(path.join(tmpdir(), 'saas-fulfillment-emulator-tls')),
  catalog: z.string().optional(),
  'log-level': z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface CliOptions {
  options: EmulatorOptions;
  logLevel: LogLevel;
  help: boolean;
}

/** Reads options from argv (flags win) and the environment; throws with every invalid option listed. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const flagOptions = Object.fromEntries(
    Object.keys(FLAGS).map((name) => [name, { type: name === 'subscribe-webhook' ? ('boolean' as const) : ('string' as const) }]),
  );
  const { values } = parseArgs({ args: argv, options: { ...flagOptions, help: { type: 'boolean' } }, strict: true });
  const raw: Record<string, unknown> = {};
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const value = (values as Record<string, unknown>)[flag] ?? env[variable];
    if (value !== undefined && value !== '') raw[flag] = value;
  }
  const parsed = cliSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid emulator options: ${parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const o = parsed.data;
  const catalog = o.catalog === undefined ? undefined : catalogSchema.parse(JSON.parse(readFileSync(o.catalog, 'utf8')));
  return {
    help: values.help === true,
    logLevel: o['log-level'],
    options: {
      port: o.port,
      authorityPort: o['authority-port'],
      publisherTenantId: o['tenant-id'],
      publisherAppId: o['app-id'],
      clientSecret: o['client-secret'],
      identityHeader: o['identity-header'],
      webhookUrl: o['webhook-url'],
      landingPageUrl: o['landing-page-url'],
      ackWindowMs: o['ack-window-ms'],
      tokenVersion: o['token-version'],
      pageSize: o['page-size'],
      operationDelayMs: o['operation-delay-ms'],
      subscribeWebhook: o['subscribe-webhook'],
      certDir: o['cert-dir'],
      catalog,
    },
  };
}

export function describeEmulator(emulator: RunningEmulator): string {
  return [
    'Azure Marketplace emulator is running (loopback only).',
    `  Control page        ${emulator.url}/`,
    `  Marketplace API     ${emulator.apiBaseUrl}`,
    `  Authority (HTTPS)   ${emulator.authorityUrl}   tenant ${emulator.publisherTenantId}, client id ${emulator.publisherAppId}`,
    `  CA certificate      NODE_EXTRA_CA_CERTS=${emulator.caCertPath}`,
    `  JWKS (webhook JWTs) ${emulator.jwksUrl}`,
    `  Managed identity    IDENTITY_ENDPOINT=${emulator.identityEndpoint}`,
  ].join('\n');
}

export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const cli = parseCliOptions(argv, env);
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const logger = consoleLogger({ level: cli.logLevel, fields: { component: 'marketplace-emulator' } });
  const emulator = await createEmulator({ ...cli.options, logger });
  console.log(describeEmulator(emulator));
  const shutdown = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
