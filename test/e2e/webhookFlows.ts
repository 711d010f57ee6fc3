import type { RunningStack } from '../../dev/stack';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { subscriptionSchema, type MarketplaceSubscription } from '../../shared/marketplace';
import { createTableStores, type TableStores } from '../../shared/storage';
import { recordFromMarketplace } from '../../shared/subscription/fromMarketplace';
import { eventually } from '../support/eventually';

/**
 * What the webhook end-to-end tests need from a running stack (the shared one from globalSetup or
 * one a test file starts itself): the emulator's addresses, the storage and the app settings.
 */
export interface StackAddresses {
  emulatorUrl: string;
  emulatorApiUrl: string;
  storageConnectionString: string;
  settings: Readonly<Record<string, string>>;
}

/** What the e2e helpers need of a stack a test started itself. */
export function addressesOf(stack: RunningStack): StackAddresses {
  return { emulatorUrl: stack.emulator.url, emulatorApiUrl: stack.emulator.apiBaseUrl, storageConnectionString: stack.azurite.connectionString, settings: stack.settings };
}

export interface EmulatorOperation {
  id: string;
  action: string;
  status: string;
  planId?: string;
  quantity?: number;
}

export interface EmulatorDelivery {
  id: string;
  operationId: string;
  subscriptionId: string;
  action: string;
  status: string;
  payload: Record<string, unknown>;
  attempts: Array<{ at: string; status?: number }>;
}

export interface EmulatorDetail {
  subscription: Record<string, unknown> & { saasSubscriptionStatus: string; planId: string; quantity?: number; term: { startDate?: string; endDate?: string } };
  operations: EmulatorOperation[];
  deliveries: EmulatorDelivery[];
}

export async function controlAt<T>(emulatorUrl: string, pathAndQuery: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${emulatorUrl}/control${pathAndQuery}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} /control${pathAndQuery} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export function emulatorDetail(stack: StackAddresses, subscriptionId: string): Promise<EmulatorDetail> {
  return controlAt<EmulatorDetail>(stack.emulatorUrl, `/subscriptions/${subscriptionId}`);
}

export function fireAt(stack: StackAddresses, subscriptionId: string, action: string, extra: { planId?: string; quantity?: number } = {}): Promise<EmulatorOperation> {
  return controlAt<EmulatorOperation>(stack.emulatorUrl, `/subscriptions/${subscriptionId}/actions`, { body: { action, ...extra } });
}

const tokens = new Map<string, Promise<string>>();

/** An app token for the emulator's Marketplace API (client credentials, over the emulator's plain-HTTP authority route). */
export function marketplaceToken(stack: StackAddresses): Promise<string> {
  let token = tokens.get(stack.emulatorUrl);
  if (token === undefined) {
    const { MARKETPLACE_TENANT_ID: tenant = '', MARKETPLACE_CLIENT_ID: clientId = '', MARKETPLACE_CLIENT_SECRET: secret = '' } = stack.settings;
    token = fetch(`${stack.emulatorUrl}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: '20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default' }).toString(),
    })
      .then((response) => response.json() as Promise<{ access_token?: string }>)
      .then((body) => {
        if (body.access_token === undefined) throw new Error('the emulator issued no token');
        return body.access_token;
      });
    tokens.set(stack.emulatorUrl, token);
  }
  return token;
}

/** Get Subscription from the emulator's Marketplace API, parsed as the app parses it. */
export async function getMarketplaceSubscription(stack: StackAddresses, subscriptionId: string): Promise<MarketplaceSubscription> {
  const response = await fetch(`${stack.emulatorApiUrl}/saas/subscriptions/${subscriptionId}?api-version=2018-08-31`, {
    headers: { authorization: `Bearer ${await marketplaceToken(stack)}` },
  });
  if (!response.ok) throw new Error(`Get Subscription answered ${response.status}`);
  return subscriptionSchema.parse(await response.json());
}

export function localStores(stack: StackAddresses): TableStores {
  return createTableStores({ connectionString: stack.storageConnectionString, tableNamePrefix: stack.settings.STORAGE_TABLE_PREFIX ?? '' });
}

/**
 * A purchase activated at the marketplace and known locally, as after the landing page: bought
 * through the control API, activated with the publisher's token, recorded in the subscriptions table.
 */
export async function subscribedSubscription(stack: StackAddresses, input: { offerId: string; planId: string; quantity?: number }, stores = localStores(stack)): Promise<string> {
  const { subscriptionId } = await controlAt<{ subscriptionId: string }>(stack.emulatorUrl, '/purchases', { body: input });
  const response = await fetch(`${stack.emulatorApiUrl}/saas/subscriptions/${subscriptionId}/activate?api-version=2018-08-31`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await marketplaceToken(stack)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ planId: input.planId, ...(input.quantity === undefined ? {} : { quantity: input.quantity }) }),
  });
  if (!response.ok) throw new Error(`Activate answered ${response.status}: ${await response.text()}`);
  await stores.subscriptions.create(recordFromMarketplace(await getMarketplaceSubscription(stack, subscriptionId), new Date().toISOString()));
  return subscriptionId;
}

export { eventually };

export interface SpawnedHost {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts another local Functions host on the same storage and settings (e.g. after killing one). */
export function spawnHost(options: { appDir: string; settings: Readonly<Record<string, string>>; caCertPath: string; args?: string[]; extraEnv?: Record<string, string> }): Promise<SpawnedHost> {
  const main = path.join(options.appDir, 'dist', 'dev', 'host', 'main.js');
  const child = spawn(process.execPath, [main, '--port', '0', ...(options.args ?? [])], {
    cwd: options.appDir,
    env: { ...process.env, ...options.settings, ...options.extraEnv, NODE_EXTRA_CA_CERTS: options.caCertPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const record = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  const stop = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${lines.join('\n')}`)), 30_000);
    const onData = (): void => {
      const match = /Host listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'));
      if (match?.[1] === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ url: match[1], pid: child.pid, child, output: () => lines.join('\n'), stop });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${String(code)}:\n${lines.join('\n')}`));
    });
  });
}
