import { z } from 'zod';
import { ConfigurationError } from './errors';
import type { LogLevel } from './logging';
import type { MarketplaceAuthSettings } from './marketplace/credential';

export type { MarketplaceAuthSettings };

/**
 * Every setting the app reads, in one schema. `loadConfig(env)` is the only place that looks at
 * the environment; it returns a frozen, typed Config or throws one ConfigurationError naming every
 * missing or invalid key. The README's settings table is generated from `SETTINGS` below, so the
 * descriptions here are the documentation.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * App Service / Azure Functions set these in every app; their presence means "not a developer's
 * machine", where the development sign-in of the console must never run.
 */
export const PLATFORM_VARIABLES = ['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID', 'WEBSITE_HOSTNAME', 'WEBSITE_OWNER_NAME', 'WEBSITE_RESOURCE_GROUP'] as const;

const DEFAULT_MARKETPLACE_BASE_URL = 'https://marketplaceapi.microsoft.com/api';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const guid = z.string().trim().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const text = z.string().trim().min(1, 'must not be empty');

const url = (options: { httpsUnlessLoopback: boolean }) =>
  z
    .string()
    .trim()
    .refine((value) => URL.canParse(value), 'must be an absolute URL')
    .refine((value) => {
      if (!options.httpsUnlessLoopback || !URL.canParse(value)) return true;
      const parsed = new URL(value);
      return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
    }, 'must use https (http is allowed only for 127.0.0.1 / localhost)')
    .transform((value) => value.replace(/\/+$/, ''));

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => value === 'true' || value === 'false', 'must be true or false')
  .transform((value) => value === 'true');

const RETENTION_FLOOR_DAYS = 7;
export const DEFAULT_RETENTION_SCHEDULE = '0 40 3 * * *';
const NCRONTAB = /^[0-9A-Za-z*,/-]+( +[0-9A-Za-z*,/-]+){5}$/;

/** Divisors of 24, so that the reconciliation hours are evenly spread; 0 = timer off. */
const RECONCILE_INTERVALS = ['0', '1', '2', '3', '4', '6', '8', '12', '24'];

const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

const signingSecret = z.string().min(32, 'must be at least 32 characters (use a random value)');

const hostList = z
  .string()
  .transform((value) => value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))
  .refine((hosts) => hosts.every((h) => /^[a-z0-9.-]+(:\d+)?$/.test(h)), 'must be a comma-separated list of host names');

/** The standard OTEL_TRACES_SAMPLER values this app supports. */
export const TRACE_SAMPLERS = ['parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'always_on', 'always_off', 'traceidratio'] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

interface Setting {
  schema: z.ZodType;
  description: string;
  /** Value used when the key is absent; documented in the README. */
  default?: string;
  /** Never echo the value in an error message. */
  secret?: boolean;
  /** Shown in the README as required (conditional requirements are checked below). */
  required?: boolean | string;
}

export const SETTINGS = {
  AzureWebJobsStorage: {
    schema: text,
    secret: true,
    required: 'unless identity-based',
    description: 'Storage connection string for tables and queues (Azurite locally). The Functions host uses it for queue triggers too.',
  },
  AzureWebJobsStorage__accountName: {
    schema: z.string().trim().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name (3-24 lowercase letters and digits)'),
    description: 'Identity-based storage: the account name (used with a managed identity instead of a connection string).',
  },
  AzureWebJobsStorage__clientId: {
    schema: guid,
    description: 'Identity-based storage: client id of a user-assigned managed identity (system-assigned when absent).',
  },
  AzureWebJobsStorage__credential: {
    schema: z.string().trim().toLowerCase().pipe(z.literal('managedidentity', { error: 'must be managedidentity' })),
    description: 'Identity-based storage: `managedidentity` (the Functions host\'s name for it; the app uses the same identity). Optional for the app.',
  },
  AzureWebJobsStorage__tableServiceUri: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Identity-based storage: table service URI (`https://<account>.table.core.windows.net`). With the queue service URI it replaces the account name.',
  },
  AzureWebJobsStorage__queueServiceUri: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Identity-based storage: queue service URI (`https://<account>.queue.core.windows.net`), for the app\'s queues and the host\'s queue triggers.',
  },
  AzureWebJobsStorage__blobServiceUri: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Identity-based storage: blob service URI, read by the Functions host only (timer leases, deployment package); the app itself uses tables and queues.',
  },
  MARKETPLACE_TENANT_ID: {
    schema: guid,
    required: true,
    description: 'Microsoft Entra tenant id entered in Partner Center (Technical configuration).',
  },
  MARKETPLACE_CLIENT_ID: {
    schema: guid,
    required: true,
    description: 'Application (client) id of the Entra app entered in Partner Center (Technical configuration).',
  },
  MARKETPLACE_AUTH_MODE: {
    schema: z.enum(['clientSecret', 'managedIdentity'], { error: 'must be clientSecret or managedIdentity' }),
    default: 'clientSecret',
    description: 'How the app gets tokens for the Marketplace API: `clientSecret` or `managedIdentity`.',
  },
  MARKETPLACE_CLIENT_SECRET: {
    schema: text,
    secret: true,
    required: 'with clientSecret',
    description: 'Client secret of the Entra app (use a Key Vault reference in Azure).',
  },
  MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID: {
    schema: guid,
    description: 'With managedIdentity: client id of a user-assigned identity (system-assigned when absent).',
  },
  MARKETPLACE_AUTHORITY_HOST: {
    schema: url({ httpsUnlessLoopback: false }).refine((v) => v.startsWith('https://'), 'must be an https URL'),
    description: 'Entra authority host for the client secret flow (default: the public cloud). Points at the local emulator in development.',
  },
  MARKETPLACE_API_BASE_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    default: DEFAULT_MARKETPLACE_BASE_URL,
    description: 'Base URL of the Marketplace API. Points at the local emulator in development.',
  },
  MARKETPLACE_EXTRA_ALLOWED_HOSTS: {
    schema: hostList,
    default: '',
    description: 'Extra hosts the bearer token may be sent to when following `@nextLink` / `Operation-Location` (comma-separated).',
  },
  MARKETPLACE_REQUEST_TIMEOUT_MS: {
    schema: integer(1_000, 120_000),
    default: '10000',
    description: 'Timeout of one Marketplace API request, in milliseconds.',
  },
  MARKETPLACE_MAX_ATTEMPTS: {
    schema: integer(1, 10),
    default: '4',
    description: 'Attempts per Marketplace API call (first try included) for retryable failures.',
  },
  MARKETPLACE_RETRY_BUDGET_MS: {
    schema: integer(0, 300_000),
    default: '30000',
    description: 'Total time one Marketplace API call may spend retrying, in milliseconds.',
  },
  WEBHOOK_JWKS_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Signing keys of the Entra tokens on marketplace webhook calls. Default: `https://login.microsoftonline.com/{MARKETPLACE_TENANT_ID}/discovery/v2.0/keys`.',
  },
  WEBHOOK_ISSUERS: {
    schema: list.refine((items) => items.length > 0, 'must list at least one issuer'),
    description: 'Accepted `iss` values (comma-separated). Default: the v1 and v2 issuers of MARKETPLACE_TENANT_ID.',
  },
  WEBHOOK_AUDIENCES: {
    schema: list.refine((items) => items.length > 0, 'must list at least one audience'),
    description: 'Accepted `aud` values (comma-separated). Default: MARKETPLACE_CLIENT_ID and `api://{MARKETPLACE_CLIENT_ID}`.',
  },
  WEBHOOK_CLOCK_SKEW_SECONDS: {
    schema: integer(0, 300),
    default: '60',
    description: 'Clock skew allowed when checking `exp` / `nbf` of webhook tokens, in seconds.',
  },
  WEBHOOK_MAX_BODY_BYTES: {
    schema: integer(1_024, 1_048_576),
    default: '65536',
    description: 'Largest webhook body accepted, in bytes (larger: 413).',
  },
  LANDING_ACTIVATION_MODE: {
    schema: z.enum(['automatic', 'confirm'], { error: 'must be automatic or confirm' }),
    default: 'automatic',
    description: '`automatic`: activation is queued when the buyer lands; `confirm`: the page shows an Activate button.',
  },
  LANDING_FORM_SECRET: {
    schema: signingSecret,
    secret: true,
    required: 'with confirm',
    description: 'Key that signs the landing page form tokens (HMAC-SHA256). Required when LANDING_ACTIVATION_MODE is confirm.',
  },
  LANDING_FORM_TOKEN_TTL_SECONDS: {
    schema: integer(60, 86_400),
    default: '900',
    description: 'How long an Activate form token stays valid, in seconds.',
  },
  LANDING_EASY_AUTH: {
    schema: bool,
    default: 'false',
    description: 'App Service Authentication (Easy Auth) is in front: trust `x-ms-client-principal`. Never set it without Easy Auth.',
  },
  LANDING_REQUIRE_SIGN_IN: {
    schema: bool,
    default: 'false',
    description: 'Redirect buyers who are not signed in to the Easy Auth login (`/.auth/login/aad`). Needs LANDING_EASY_AUTH.',
  },
  LANDING_PRODUCT_NAME: {
    schema: text,
    default: 'your subscription',
    description: 'Product name shown on the landing page.',
  },
  LANDING_SUPPORT_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Support link shown on the landing page (optional).',
  },
  LANDING_OFFER_NAME: {
    schema: text,
    description: 'Display name of the offer shown on the landing page instead of its id (default: LANDING_PRODUCT_NAME).',
  },
  LANDING_PRODUCT_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Where the buyer uses the product: once the subscription is active the landing page shows an "Open <product>" link to it (optional).',
  },
  LANDING_SUPPORT_CONTACT: {
    schema: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    description: 'Support contact shown on the landing page, e.g. an e-mail address or phone number (optional).',
  },
  LANDING_NEXT_STEPS: {
    schema: z.string().trim().min(1, 'must not be empty').max(1_000, 'must be at most 1000 characters'),
    description: 'What happens next, shown to the buyer while the subscription is being set up (optional; plain text).',
  },
  CONSOLE_AUTH: {
    schema: z.enum(['off', 'easyAuth', 'development'], { error: 'must be off, easyAuth or development' }),
    default: 'off',
    description:
      'Operator console at /api/console: `off`; `easyAuth` (App Service Authentication in front; roles Console.Admin / Console.Reader from `x-ms-client-principal`); `development` (local sign-in; refused outside loopback and on Azure).',
  },
  CONSOLE_FORM_SECRET: {
    schema: signingSecret,
    secret: true,
    required: 'unless CONSOLE_AUTH is off',
    description: 'Key that signs the console form tokens and the development sign-in (HMAC-SHA256).',
  },
  ISV_WEBHOOK_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Your product\'s endpoint for provisioning and lifecycle events (signed CloudEvents). Absent: nothing is sent.',
  },
  ISV_WEBHOOK_SECRET: {
    schema: signingSecret,
    secret: true,
    required: 'with ISV_WEBHOOK_URL',
    description: 'Key that signs the events sent to ISV_WEBHOOK_URL / ISV_DECISION_URL (HMAC-SHA256).',
  },
  ISV_WEBHOOK_TIMEOUT_MS: {
    schema: integer(500, 60_000),
    default: '5000',
    description: 'Timeout of one call to ISV_WEBHOOK_URL, in milliseconds.',
  },
  ISV_DECISION_URL: {
    schema: url({ httpsUnlessLoopback: true }),
    description: 'Your endpoint that accepts or rejects plan and seat changes. Absent: every change is accepted.',
  },
  ISV_DECISION_TIMEOUT_MS: {
    schema: integer(500, 8_000),
    default: '4000',
    description: 'Deadline of the decision call; it must fit in Microsoft\'s 10-second window (on timeout the change is accepted).',
  },
  METERING_WINDOW_MARGIN_MINUTES: {
    schema: integer(30, 720),
    default: '180',
    description: 'Usage is refused when the start of its hour is older than 24 hours minus this margin, so that it can still be emitted inside Microsoft\'s 24-hour window.',
  },
  METERING_SETTLE_MINUTES: {
    schema: integer(4, 50),
    default: '5',
    description: 'An hour is emitted once it ended at least this many minutes ago (usage reported just after the hour still counts). The emission timer runs at minute 10 of every hour.',
  },
  METERING_CLAIM_TIMEOUT_SECONDS: {
    schema: integer(5, 3_600),
    default: '600',
    description: 'How long an emission run holds the hours it is sending; after a crash the next run takes them over once this has passed.',
  },
  RECONCILE_EVERY_HOURS: {
    schema: z
      .string()
      .trim()
      .refine((value) => RECONCILE_INTERVALS.includes(value), `must be one of ${RECONCILE_INTERVALS.join(', ')}`)
      .transform(Number),
    default: '1',
    description:
      'Reconciliation with the marketplace: the timer fires at minute 20 of every hour (UTC) and runs when the UTC hour is a multiple of this (1: hourly, 24: daily at 00:20). 0 turns the timer off; `POST /api/reconcile` still runs it on demand.',
  },
  RECONCILE_CONCURRENCY: {
    schema: integer(1, 32),
    default: '8',
    description: 'Subscriptions compared with Table Storage at the same time during reconciliation (pages are streamed; memory stays bounded).',
  },
  RECONCILE_CHECK_OPERATIONS: {
    schema: bool,
    default: 'true',
    description:
      'Reconciliation also lists the outstanding operations of every Subscribed or Suspended subscription (one call each) and processes InProgress ones the webhook never delivered.',
  },
  PUBLISHER_OPERATION_POLL_MAX_SECONDS: {
    schema: integer(1, 600),
    default: '60',
    description:
      'Publisher-initiated changes: the longest wait between two polls of `Operation-Location` (the first poll waits `Retry-After`, then the wait doubles up to this).',
  },
  PUBLISHER_OPERATION_TIMEOUT_MINUTES: {
    schema: integer(1, 1_440),
    default: '60',
    description: 'Publisher-initiated changes: polling stops after this long without a final status, and the status URL reports `TimedOut`.',
  },
  RETENTION_PERSONAL_DATA_DAYS: {
    schema: integer(0, 3_650).refine((days) => days === 0 || days >= RETENTION_FLOOR_DAYS, `must be 0 (off) or at least ${RETENTION_FLOOR_DAYS}`),
    default: '90',
    description:
      'Personal data (subscription name, purchaser and beneficiary e-mail, object id, PUID) of subscriptions that ended more than this many days ago is erased by the retention timer; ids, plan, dates, usage and history stay. At least 7 (Microsoft\'s `retainUntil`); 0 turns the timer off (`POST /api/subscriptions/{id}/erase-personal-data` still works).',
  },
  RETENTION_SCHEDULE: {
    schema: z.string().trim().regex(NCRONTAB, 'must be a six-field NCRONTAB expression (second minute hour day month weekday)'),
    default: DEFAULT_RETENTION_SCHEDULE,
    description: 'When the retention timer runs (six-field NCRONTAB, UTC). Default: daily at 03:40.',
  },
  STORAGE_TABLE_PREFIX: {
    schema: z.string().trim().regex(/^([A-Za-z][A-Za-z0-9]{0,19})?$/, 'must be empty or start with a letter and hold up to 20 letters and digits'),
    default: '',
    description: 'Prefix for the table names, so several deployments can share one storage account.',
  },
  LOG_LEVEL: {
    schema: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }),
    default: 'info',
    description: 'Minimum level written to the logs.',
  },
  APPLICATIONINSIGHTS_CONNECTION_STRING: {
    // Not a secret (an ingestion address and resource id; infra/ turns local authentication off).
    schema: text,
    description:
      'Application Insights connection string: traces, metrics and logs are exported to Azure Monitor with OpenTelemetry (see docs/observability.md). Absent: nothing is sent there.',
  },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: {
    schema: text,
    description:
      'Application Insights with Entra ID (local authentication off): `ClientId=<user-assigned identity client id>;Authorization=AAD`, or `Authorization=AAD` for the system-assigned identity; the worker then exports with that managed identity (the Functions host reads the same setting). Without `Authorization=AAD`: ignored.',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: url({ httpsUnlessLoopback: false }),
    description: 'OTLP/HTTP endpoint (e.g. `http://127.0.0.1:4318` for a local Jaeger): traces, metrics and logs are sent to `/v1/traces`, `/v1/metrics`, `/v1/logs`. Absent: no OTLP export.',
  },
  OTEL_SERVICE_NAME: {
    schema: text,
    default: 'saas-fulfillment',
    description: 'Service name on every exported span, metric and log record (`cloud_RoleName` in Application Insights).',
  },
  OTEL_BSP_SCHEDULE_DELAY: {
    schema: integer(10, 60_000),
    default: '5000',
    description: 'Longest wait before buffered spans and log records are exported, in milliseconds.',
  },
  OTEL_METRIC_EXPORT_INTERVAL: {
    schema: integer(100, 3_600_000),
    default: '60000',
    description: 'How often metrics are exported, in milliseconds.',
  },
  OTEL_TRACES_SAMPLER: {
    schema: z.enum(TRACE_SAMPLERS, { error: `must be one of ${TRACE_SAMPLERS.join(', ')}` }),
    default: 'parentbased_always_on',
    description:
      'Which traces are recorded: `parentbased_always_on` (all, unless the caller\'s trace context says not sampled), `traceidratio` (the share `OTEL_TRACES_SAMPLER_ARG` of traces, decided by trace id so that a trace is kept or dropped whole across the queues), `parentbased_traceidratio`, `always_on`, `always_off`. Metrics and log records are exported whatever the choice (see Cost in docs/observability.md).',
  },
  OTEL_TRACES_SAMPLER_ARG: {
    schema: z
      .string()
      .trim()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number from 0 to 1')
      .transform(Number),
    default: '1',
    description: 'Share of traces recorded by the `traceidratio` samplers, from 0 to 1 (e.g. `0.25`).',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/**
 * App settings that belong to the Functions host or the platform, not to the app: the deployment
 * (infra/) may set these without a SETTINGS entry. `AzureWebJobsStorage*` is not among them: the
 * app reads the storage settings too, so each of those must be a key of SETTINGS.
 */
export const PLATFORM_SETTING_PREFIXES = ['FUNCTIONS_', 'AzureWebJobs', 'APPLICATIONINSIGHTS_', 'languageWorkers__', 'WEBSITE_'] as const;

/** True for a key of SETTINGS, or a platform setting by the prefix rule above. */
export function isKnownSetting(name: string): boolean {
  if (Object.hasOwn(SETTINGS, name)) return true;
  if (name.startsWith('AzureWebJobsStorage')) return false;
  return PLATFORM_SETTING_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export type StorageSettings =
  | { kind: 'connectionString'; connectionString: string; tablePrefix: string }
  | {
      kind: 'identity';
      /** The account name, or the two service URIs (at least one of the two forms is set). */
      accountName?: string;
      tableServiceUri?: string;
      queueServiceUri?: string;
      managedIdentityClientId?: string;
      tablePrefix: string;
    };

export interface MarketplaceSettings {
  baseUrl: string;
  tenantId: string;
  clientId: string;
  extraAllowedHosts: string[];
  requestTimeoutMs: number;
  maxAttempts: number;
  retryBudgetMs: number;
  auth: MarketplaceAuthSettings;
}

export interface WebhookSettings {
  jwksUrl: string;
  issuers: string[];
  audiences: string[];
  clockSkewSeconds: number;
  maxBodyBytes: number;
}

export interface LandingSettings {
  activationMode: 'automatic' | 'confirm';
  formSecret?: string;
  formTokenTtlSeconds: number;
  easyAuth: boolean;
  requireSignIn: boolean;
  productName: string;
  supportUrl?: string;
  /** The offer's display name (default: the product name). */
  offerName?: string;
  productUrl?: string;
  supportContact?: string;
  nextSteps?: string;
}

export interface ConsoleSettings {
  auth: 'off' | 'easyAuth' | 'development';
  formSecret?: string;
}

export interface IsvSettings {
  webhookUrl?: string;
  secret?: string;
  timeoutMs: number;
  decisionUrl?: string;
  decisionTimeoutMs: number;
}

export interface MeteringSettings {
  windowMarginMs: number;
  settleMs: number;
  claimTimeoutMs: number;
}

export interface ReconciliationSettings {
  /** The timer runs when the UTC hour is a multiple of this; 0 = timer off. */
  everyHours: number;
  concurrency: number;
  checkOperations: boolean;
}

export interface PublisherOperationSettings {
  pollMaxDelaySeconds: number;
  timeoutMs: number;
}

export interface RetentionSettings {
  /** Days after a subscription ended before its personal data is erased; 0 = timer off. */
  personalDataDays: number;
  schedule: string;
}

export interface TelemetrySettings {
  connectionString?: string;
  /** Export to Application Insights with a managed identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING). */
  entraId?: { clientId?: string };
  otlpEndpoint?: string;
  serviceName: string;
  exportDelayMs: number;
  metricIntervalMs: number;
  /** Which traces are recorded (OTEL_TRACES_SAMPLER) and the share for the ratio samplers. */
  sampler: TraceSampler;
  samplerRatio: number;
}

export interface Config {
  storage: StorageSettings;
  marketplace: MarketplaceSettings;
  webhook: WebhookSettings;
  landing: LandingSettings;
  console: ConsoleSettings;
  isv: IsvSettings;
  metering: MeteringSettings;
  reconciliation: ReconciliationSettings;
  publisherOperations: PublisherOperationSettings;
  retention: RetentionSettings;
  logLevel: LogLevel;
  telemetry: TelemetrySettings;
}

type Parsed = { [K in SettingName]?: unknown };

/** App Service leaves the reference text in place when it cannot resolve it; never use that as a key. */
const UNRESOLVED_KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\(/i;

function parseSettings(env: Env, names: readonly SettingName[]): { values: Parsed; issues: string[] } {
  const issues: string[] = [];
  const values: Parsed = {};
  for (const name of names) {
    const setting: Setting = SETTINGS[name];
    const raw = env[name];
    const input = raw === undefined || raw.trim() === '' ? setting.default : raw;
    if (input === undefined) continue;
    if (setting.secret === true && UNRESOLVED_KEY_VAULT_REFERENCE.test(input)) {
      issues.push(`${name} is an unresolved Key Vault reference: the app's identity cannot read the secret yet (role Key Vault Secrets User) or it does not exist`);
      continue;
    }
    const result = setting.schema.safeParse(input);
    if (result.success) {
      values[name] = result.data;
    } else {
      const reason = result.error.issues[0]?.message ?? 'is invalid';
      issues.push(setting.secret ? `${name} ${reason}` : `${name} ${reason} (got ${JSON.stringify(input)})`);
    }
  }
  return { values, issues };
}

export function loadConfig(env: Env): Readonly<Config> {
  const { values, issues } = parseSettings(env, Object.keys(SETTINGS) as SettingName[]);

  const has = (name: SettingName): boolean => values[name] !== undefined;
  const invalid = (name: SettingName): boolean => issues.some((issue) => issue.startsWith(`${name} `));
  const requireKey = (name: SettingName, why = 'is required'): void => {
    if (!has(name) && !invalid(name)) issues.push(`${name} ${why}`);
  };

  requireKey('MARKETPLACE_TENANT_ID');
  requireKey('MARKETPLACE_CLIENT_ID');
  if (values.MARKETPLACE_AUTH_MODE === 'clientSecret') {
    requireKey('MARKETPLACE_CLIENT_SECRET', 'is required when MARKETPLACE_AUTH_MODE is clientSecret');
  }
  checkStorage(has, invalid, issues);

  if (values.LANDING_ACTIVATION_MODE === 'confirm') {
    requireKey('LANDING_FORM_SECRET', 'is required when LANDING_ACTIVATION_MODE is confirm');
  }
  if (values.LANDING_REQUIRE_SIGN_IN === true && values.LANDING_EASY_AUTH !== true) {
    issues.push('LANDING_REQUIRE_SIGN_IN needs LANDING_EASY_AUTH=true (sign-in comes from App Service Authentication)');
  }
  if (values.CONSOLE_AUTH !== undefined && values.CONSOLE_AUTH !== 'off') {
    requireKey('CONSOLE_FORM_SECRET', 'is required unless CONSOLE_AUTH is off');
  }
  if (values.CONSOLE_AUTH === 'development') {
    const platform = PLATFORM_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
    if (platform.length > 0) issues.push(`CONSOLE_AUTH=development is refused on a hosting platform (${platform.join(', ')} set): use easyAuth`);
  }
  if (has('ISV_WEBHOOK_URL') || has('ISV_DECISION_URL')) {
    requireKey('ISV_WEBHOOK_SECRET', 'is required when ISV_WEBHOOK_URL or ISV_DECISION_URL is set');
  }

  if (issues.length > 0) throw new ConfigurationError(issues);
  return deepFreeze(assemble(values));
}

/** Storage: a connection string, or identity-based with the account name or both the table and queue service URIs. */
function checkStorage(has: (name: SettingName) => boolean, invalid: (name: SettingName) => boolean, issues: string[]): void {
  const storageKeys: SettingName[] = ['AzureWebJobsStorage', 'AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__tableServiceUri', 'AzureWebJobsStorage__queueServiceUri'];
  if (has('AzureWebJobsStorage') || has('AzureWebJobsStorage__accountName') || storageKeys.some(invalid)) return;
  const table = has('AzureWebJobsStorage__tableServiceUri');
  const queue = has('AzureWebJobsStorage__queueServiceUri');
  if (table && queue) return;
  if (table || queue) {
    const missing = table ? 'AzureWebJobsStorage__queueServiceUri' : 'AzureWebJobsStorage__tableServiceUri';
    issues.push(`${missing} is required for identity-based storage by service URI (or set AzureWebJobsStorage__accountName)`);
    return;
  }
  issues.push('AzureWebJobsStorage is required (or AzureWebJobsStorage__accountName, or the table and queue service URIs, for identity-based storage)');
}

function assemble(v: Parsed): Config {
  const str = (name: SettingName): string => v[name] as string;
  const optional = (name: SettingName): string | undefined => v[name] as string | undefined;
  const num = (name: SettingName): number => v[name] as number;

  const tablePrefix = str('STORAGE_TABLE_PREFIX');
  const connectionString = optional('AzureWebJobsStorage');
  const storage: StorageSettings =
    connectionString !== undefined
      ? { kind: 'connectionString', connectionString, tablePrefix }
      : {
          kind: 'identity',
          accountName: optional('AzureWebJobsStorage__accountName'),
          tableServiceUri: optional('AzureWebJobsStorage__tableServiceUri'),
          queueServiceUri: optional('AzureWebJobsStorage__queueServiceUri'),
          managedIdentityClientId: optional('AzureWebJobsStorage__clientId'),
          tablePrefix,
        };

  const tenantId = str('MARKETPLACE_TENANT_ID');
  const clientId = str('MARKETPLACE_CLIENT_ID');
  const auth: MarketplaceAuthSettings =
    v.MARKETPLACE_AUTH_MODE === 'managedIdentity'
      ? { kind: 'managedIdentity', clientId: optional('MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID') }
      : { kind: 'clientSecret', tenantId, clientId, clientSecret: str('MARKETPLACE_CLIENT_SECRET'), authorityHost: optional('MARKETPLACE_AUTHORITY_HOST') };

  return {
    storage,
    marketplace: {
      baseUrl: str('MARKETPLACE_API_BASE_URL'),
      tenantId,
      clientId,
      extraAllowedHosts: v.MARKETPLACE_EXTRA_ALLOWED_HOSTS as string[],
      requestTimeoutMs: num('MARKETPLACE_REQUEST_TIMEOUT_MS'),
      maxAttempts: num('MARKETPLACE_MAX_ATTEMPTS'),
      retryBudgetMs: num('MARKETPLACE_RETRY_BUDGET_MS'),
      auth,
    },
    webhook: {
      jwksUrl: optional('WEBHOOK_JWKS_URL') ?? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
      issuers: (v.WEBHOOK_ISSUERS as string[] | undefined) ?? [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`],
      audiences: (v.WEBHOOK_AUDIENCES as string[] | undefined) ?? [clientId, `api://${clientId}`],
      clockSkewSeconds: num('WEBHOOK_CLOCK_SKEW_SECONDS'),
      maxBodyBytes: num('WEBHOOK_MAX_BODY_BYTES'),
    },
    landing: {
      activationMode: v.LANDING_ACTIVATION_MODE as 'automatic' | 'confirm',
      formSecret: optional('LANDING_FORM_SECRET'),
      formTokenTtlSeconds: num('LANDING_FORM_TOKEN_TTL_SECONDS'),
      easyAuth: v.LANDING_EASY_AUTH as boolean,
      requireSignIn: v.LANDING_REQUIRE_SIGN_IN as boolean,
      productName: str('LANDING_PRODUCT_NAME'),
      supportUrl: optional('LANDING_SUPPORT_URL'),
      offerName: optional('LANDING_OFFER_NAME'),
      productUrl: optional('LANDING_PRODUCT_URL'),
      supportContact: optional('LANDING_SUPPORT_CONTACT'),
      nextSteps: optional('LANDING_NEXT_STEPS'),
    },
    console: { auth: v.CONSOLE_AUTH as ConsoleSettings['auth'], formSecret: optional('CONSOLE_FORM_SECRET') },
    isv: {
      webhookUrl: optional('ISV_WEBHOOK_URL'),
      secret: optional('ISV_WEBHOOK_SECRET'),
      timeoutMs: num('ISV_WEBHOOK_TIMEOUT_MS'),
      decisionUrl: optional('ISV_DECISION_URL'),
      decisionTimeoutMs: num('ISV_DECISION_TIMEOUT_MS'),
    },
    metering: {
      windowMarginMs: num('METERING_WINDOW_MARGIN_MINUTES') * 60_000,
      settleMs: num('METERING_SETTLE_MINUTES') * 60_000,
      claimTimeoutMs: num('METERING_CLAIM_TIMEOUT_SECONDS') * 1_000,
    },
    reconciliation: {
      everyHours: num('RECONCILE_EVERY_HOURS'),
      concurrency: num('RECONCILE_CONCURRENCY'),
      checkOperations: v.RECONCILE_CHECK_OPERATIONS as boolean,
    },
    publisherOperations: {
      pollMaxDelaySeconds: num('PUBLISHER_OPERATION_POLL_MAX_SECONDS'),
      timeoutMs: num('PUBLISHER_OPERATION_TIMEOUT_MINUTES') * 60_000,
    },
    retention: { personalDataDays: num('RETENTION_PERSONAL_DATA_DAYS'), schedule: str('RETENTION_SCHEDULE') },
    logLevel: v.LOG_LEVEL as LogLevel,
    telemetry: telemetryFrom(v),
  };
}

const TELEMETRY_SETTINGS = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
] as const satisfies readonly SettingName[];

function telemetryFrom(v: Parsed): TelemetrySettings {
  return {
    connectionString: v.APPLICATIONINSIGHTS_CONNECTION_STRING as string | undefined,
    entraId: entraIdFrom(v.APPLICATIONINSIGHTS_AUTHENTICATION_STRING as string | undefined),
    otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT as string | undefined,
    serviceName: v.OTEL_SERVICE_NAME as string,
    exportDelayMs: v.OTEL_BSP_SCHEDULE_DELAY as number,
    metricIntervalMs: v.OTEL_METRIC_EXPORT_INTERVAL as number,
    sampler: v.OTEL_TRACES_SAMPLER as TraceSampler,
    samplerRatio: v.OTEL_TRACES_SAMPLER_ARG as number,
  };
}

function entraIdFrom(authentication: string | undefined): TelemetrySettings['entraId'] {
  if (authentication === undefined || !/(^|;)\s*Authorization\s*=\s*AAD\s*(;|$)/i.test(authentication)) return undefined;
  const clientId = /(?:^|;)\s*ClientId\s*=\s*([^;\s]+)/i.exec(authentication)?.[1];
  return clientId === undefined ? {} : { clientId };
}

/**
 * The telemetry settings alone: read when the worker starts, before the first invocation (the other
 * settings may still be missing then; a bad telemetry setting fails here with the usual message).
 */
export function loadTelemetrySettings(env: Env): Readonly<TelemetrySettings> {
  const { values, issues } = parseSettings(env, TELEMETRY_SETTINGS);
  if (issues.length > 0) throw new ConfigurationError(issues);
  return deepFreeze(telemetryFrom(values));
}

/** The process's telemetry settings, from `process.env`. */
export function getTelemetrySettings(): Readonly<TelemetrySettings> {
  return loadTelemetrySettings(process.env);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

let cached: Readonly<Config> | undefined;

/** The process configuration, parsed from `process.env` on first use and kept. */
export function getConfig(): Readonly<Config> {
  cached ??= loadConfig(process.env);
  return cached;
}

/**
 * The retention timer's schedule, for its registration (which happens before any invocation, so
 * it cannot wait for getConfig). An invalid value registers the default; getConfig then reports it.
 */
export function retentionSchedule(env: Env = process.env): string {
  const parsed = SETTINGS.RETENTION_SCHEDULE.schema.safeParse(env.RETENTION_SCHEDULE?.trim() || DEFAULT_RETENTION_SCHEDULE);
  return parsed.success ? parsed.data : DEFAULT_RETENTION_SCHEDULE;
}

/** For tests and tools that change the environment between runs. */
export function resetConfigCache(): void {
  cached = undefined;
}
