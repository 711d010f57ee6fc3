import type { TokenCredential } from '@azure/core-auth';
import type { Clock } from '../clock';
import { ServiceError, toError } from '../errors';
import { MarketplaceApiError, type MarketplaceApi } from '../marketplace';
import { MARKETPLACE_SCOPE } from '../marketplace/constants';
import type { JobName, JobRunStore } from '../runs';
import type { StorageReads } from '../storage/storageProbe';
import type { CheckOutcome, ReadinessCheck } from './readiness';

/** The first line of an error's message, bounded (credential errors carry long trace blocks). */
export function shortError(error: unknown): string {
  const err = toError(error);
  const cause = err.cause instanceof Error ? ` (${err.cause.message.split('\n')[0] ?? ''})` : '';
  return `${err.message.split('\n')[0] ?? err.name}${cause}`.slice(0, 300);
}

/** A storage endpoint as it may be shown: scheme, host, port and path, never a query (SAS) or key. */
export function describeEndpoint(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** Table and Queue Storage reads with the app's settings (shared/storage/storageProbe.ts). */
export type StorageProbe = StorageReads;

export interface StorageCheckOptions {
  /** How the app reaches storage, to name the setting to fix: a connection string or an identity. */
  access: 'connectionString' | 'identity';
}

function storageFix(options: StorageCheckOptions, service: 'Table' | 'Queue'): string {
  return options.access === 'connectionString'
    ? 'check AzureWebJobsStorage (is the storage account or Azurite running there?)'
    : `check AzureWebJobsStorage__${service.toLowerCase()}ServiceUri (or AzureWebJobsStorage__accountName) and that the app's identity has the Storage ${service} Data Contributor role`;
}

/** One storage service read with the app's identity: `pass` when it answers, `fail` naming the endpoint and the setting. */
function storageCheck(
  name: string,
  service: 'Table' | 'Queue',
  url: string,
  options: StorageCheckOptions,
  read: (signal: AbortSignal) => Promise<Record<string, unknown> | undefined>,
): ReadinessCheck {
  const where = `${service} Storage at ${describeEndpoint(url)}`;
  return {
    name,
    run: async (signal) => {
      try {
        const details = await read(signal);
        return { status: 'pass', reason: `${where} answers`, ...(details === undefined ? {} : { details }) };
      } catch (error) {
        return { status: 'fail', reason: `${where} could not be read: ${shortError(error)}; ${storageFix(options, service)}` };
      }
    },
  };
}

export function tablesCheck(probe: StorageProbe, options: StorageCheckOptions): ReadinessCheck {
  return storageCheck('tables', 'Table', probe.tableUrl, options, async (signal) => {
    await probe.readTable(signal);
    return undefined;
  });
}

export function queuesCheck(probe: StorageProbe, queues: readonly string[], options: StorageCheckOptions): ReadinessCheck {
  return storageCheck('queues', 'Queue', probe.queueUrl, options, async (signal) => ({ depths: await probe.queueDepths(queues, signal) }));
}

/** Poison messages do not stop the app, so they warn: each one is work that never got done. */
export function poisonQueuesCheck(probe: StorageProbe, poisonQueues: readonly string[], options: StorageCheckOptions): ReadinessCheck {
  return {
    name: 'poisonQueues',
    run: async (signal) => {
      let depths: Record<string, number>;
      try {
        depths = await probe.queueDepths(poisonQueues, signal);
      } catch (error) {
        return { status: 'fail', reason: `the poison queues could not be read: ${shortError(error)}; ${storageFix(options, 'Queue')}` };
      }
      const waiting = Object.entries(depths).filter(([, depth]) => depth > 0);
      if (waiting.length === 0) return { status: 'pass', reason: 'no poison messages', details: { depths } };
      const listed = waiting.map(([queue, depth]) => `${queue}: ${depth}`).join(', ');
      return {
        status: 'warn',
        reason: `messages failed every attempt (${listed}); see GET /api/ops/poison/{queue}, fix the cause, then POST /api/ops/poison/{queue}/replay`,
        details: { depths },
      };
    },
  };
}

export function marketplaceTokenCheck(credential: TokenCredential, authority: string, clock: Clock): ReadinessCheck {
  return {
    name: 'marketplaceToken',
    run: async (signal) => {
      try {
        const token = await credential.getToken(MARKETPLACE_SCOPE, { abortSignal: signal });
        if (!token?.token) return { status: 'fail', reason: `the credential for ${authority} returned no token` };
        const minutes = Math.round((token.expiresOnTimestamp - clock.now().getTime()) / 60_000);
        return { status: 'pass', reason: `a Marketplace API token was obtained from ${authority}`, details: { expiresInMinutes: minutes } };
      } catch (error) {
        return {
          status: 'fail',
          reason: `no Marketplace API token from ${authority}: ${shortError(error)}; check MARKETPLACE_TENANT_ID, MARKETPLACE_CLIENT_ID and MARKETPLACE_CLIENT_SECRET (or the managed identity)`,
        };
      }
    },
  };
}

/** A subscription id that does not exist: Get Subscription answers 404 when the API and our token are fine. */
export const PROBE_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

export function marketplaceApiCheck(marketplace: Pick<MarketplaceApi, 'getSubscription'>, baseUrl: string): ReadinessCheck {
  return {
    name: 'marketplaceApi',
    run: async (signal): Promise<CheckOutcome> => {
      try {
        await marketplace.getSubscription(PROBE_SUBSCRIPTION_ID, { signal });
        return { status: 'pass', reason: `the Marketplace API at ${baseUrl} answers` };
      } catch (error) {
        if (error instanceof MarketplaceApiError) return fromMarketplaceError(error, baseUrl);
        if (error instanceof ServiceError && error.code === 'MarketplaceTokenUnavailable') {
          return { status: 'fail', reason: `the Marketplace API was not called: no token (see marketplaceToken)` };
        }
        return { status: 'fail', reason: `the Marketplace API at ${baseUrl} could not be called: ${shortError(error)}` };
      }
    },
  };
}

function fromMarketplaceError(error: MarketplaceApiError, baseUrl: string): CheckOutcome {
  if (error.status === 401 || error.status === 403) {
    return {
      status: 'fail',
      reason: `the Marketplace API at ${baseUrl} refused our token (HTTP ${error.status}); MARKETPLACE_TENANT_ID and MARKETPLACE_CLIENT_ID must be the ones in Partner Center (Technical configuration)`,
    };
  }
  if (error.kind === 'http' && error.status !== undefined && error.status < 500 && error.status !== 429) {
    return { status: 'pass', reason: `the Marketplace API at ${baseUrl} answers (HTTP ${error.status} for a probe subscription)` };
  }
  return { status: 'fail', reason: `the Marketplace API at ${baseUrl} failed: ${shortError(error)}; check MARKETPLACE_API_BASE_URL` };
}

/** `fetch`, narrowed to what the checks use (tests pass the global one; nothing leaves loopback there). */
export type Fetch = (url: string, init: { method: string; signal: AbortSignal; redirect?: 'manual' }) => Promise<{ status: number; json(): Promise<unknown> }>;

export function signingKeysCheck(fetch: Fetch, jwksUrl: string): ReadinessCheck {
  return {
    name: 'webhookSigningKeys',
    run: async (signal) => {
      const fix = 'check WEBHOOK_JWKS_URL (default: the key set of MARKETPLACE_TENANT_ID)';
      let response: Awaited<ReturnType<Fetch>>;
      try {
        response = await fetch(jwksUrl, { method: 'GET', signal });
      } catch (error) {
        return { status: 'fail', reason: `the webhook signing keys at ${jwksUrl} could not be fetched: ${shortError(error)}; ${fix}` };
      }
      if (response.status !== 200) return { status: 'fail', reason: `the webhook signing keys at ${jwksUrl} answered HTTP ${response.status}; ${fix}` };
      const body = (await response.json().catch(() => undefined)) as { keys?: unknown } | undefined;
      const keys = Array.isArray(body?.keys) ? body.keys.length : 0;
      if (keys === 0) return { status: 'fail', reason: `${jwksUrl} is not a key set with keys; ${fix}` };
      return { status: 'pass', reason: `${keys} webhook signing key(s) fetched from ${jwksUrl}`, details: { keys } };
    },
  };
}

/**
 * An ISV endpoint answers HTTP at all (any status: a HEAD without a signature is refused, and that is
 * fine). Only its origin is shown: the path or query may hold something private.
 */
export function isvEndpointCheck(fetch: Fetch, name: string, setting: string, url: string | undefined): ReadinessCheck {
  return {
    name,
    run: async (signal) => {
      if (url === undefined) return { status: 'skip', reason: `${setting} is not set` };
      const origin = URL.canParse(url) ? new URL(url).origin : '(invalid URL)';
      try {
        const response = await fetch(url, { method: 'HEAD', signal, redirect: 'manual' });
        return { status: 'pass', reason: `${setting} (${origin}) answers (HTTP ${response.status})` };
      } catch (error) {
        return { status: 'fail', reason: `${setting} (${origin}) could not be reached: ${shortError(error)}; is your product's endpoint up?` };
      }
    },
  };
}

export interface RunCheckOptions {
  job: JobName;
  /** Check name, e.g. `reconciliationRun`. */
  name: string;
  /** A finished run older than this fails: the timer is not running. Undefined: the timer is off, age is not checked. */
  maxAgeMs: number | undefined;
  /** A run still `running` after this is stuck (its process died). */
  maxRunningMs: number;
  /** How to run it now, for the reasons. */
  howToRun: string;
}

/** The age and outcome of a timer job's last run (shared/runs). */
export function lastRunCheck(runs: Pick<JobRunStore, 'latest'>, clock: Clock, options: RunCheckOptions): ReadinessCheck {
  const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;
  return {
    name: options.name,
    run: async (): Promise<CheckOutcome> => {
      let run;
      try {
        run = await runs.latest(options.job);
      } catch (error) {
        return { status: 'fail', reason: `the last ${options.job} run could not be read: ${shortError(error)} (see tables)` };
      }
      if (run === undefined) {
        return options.maxAgeMs === undefined
          ? { status: 'skip', reason: `the ${options.job} timer is off and it never ran` }
          : { status: 'warn', reason: `no ${options.job} run recorded yet; ${options.howToRun}` };
      }
      const now = clock.now().getTime();
      const age = now - Date.parse(run.finishedAt ?? run.startedAt);
      const details = { runId: run.runId, outcome: run.outcome, startedAt: run.startedAt, finishedAt: run.finishedAt, counts: run.counts, ageMinutes: Math.round(age / 60_000) };
      if (run.outcome === 'running' && now - Date.parse(run.startedAt) > options.maxRunningMs) {
        return { status: 'warn', reason: `the last ${options.job} run started ${minutes(age)} ago and never finished (its process stopped?); ${options.howToRun}`, details };
      }
      if (options.maxAgeMs !== undefined && run.outcome !== 'running' && age > options.maxAgeMs) {
        return {
          status: 'fail',
          reason: `the last ${options.job} run ended ${minutes(age)} ago, more than ${minutes(options.maxAgeMs)}: is the timer running (function app stopped, function disabled)? ${options.howToRun}`,
          details,
        };
      }
      if (run.outcome === 'failed') return { status: 'fail', reason: `the last ${options.job} run failed: ${run.error ?? 'no reason recorded'}; ${options.howToRun} once fixed`, details };
      if (run.outcome === 'partial') return { status: 'warn', reason: `the last ${options.job} run finished with failures (see its report); ${options.howToRun}`, details };
      return { status: 'pass', reason: `the last ${options.job} run ${run.outcome === 'running' ? 'is running' : `succeeded ${minutes(age)} ago`}`, details };
    },
  };
}
