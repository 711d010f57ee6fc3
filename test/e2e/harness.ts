import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../support/eventually';

/** Addresses of the stack that jest's globalSetup started for this run. */
export interface E2eStack {
  hostUrl: string;
  emulatorUrl: string;
  emulatorApiUrl: string;
  storageConnectionString: string;
  settings: Record<string, string>;
}

let cached: E2eStack | undefined;

export function e2eStack(): E2eStack {
  if (cached !== undefined) return cached;
  const file = path.join(__dirname, '..', '..', '.tmp', 'e2e-stack.json');
  try {
    cached = JSON.parse(readFileSync(file, 'utf8')) as E2eStack;
  } catch {
    throw new Error(`The end-to-end stack is not running (${file} is missing): run these tests through jest with test/support/globalSetup.js`);
  }
  return cached;
}

async function call<T>(base: string, pathAndQuery: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(`${base}${pathAndQuery}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathAndQuery} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Calls the emulator's control API. */
export function control<T>(pathAndQuery: string, init?: { method?: string; body?: unknown }): Promise<T> {
  return call<T>(e2eStack().emulatorUrl, `/control${pathAndQuery}`, init);
}

/** Fetches from the local Functions host (raw Response, for status and header assertions). */
export function hostFetch(pathAndQuery: string, init?: RequestInit): Promise<Response> {
  return fetch(`${e2eStack().hostUrl}${pathAndQuery}`, init);
}

export interface Purchase {
  subscriptionId: string;
  token: string;
  landingUrl: string;
}

/** Buys a plan in the emulator, as a customer would in the Azure portal. */
export function purchase(input: { offerId: string; planId: string; quantity?: number; [key: string]: unknown }): Promise<Purchase> {
  return control<Purchase>('/purchases', { body: input });
}

/** Makes the emulator act as Microsoft: fires a lifecycle action and its webhook. */
export function fireAction(subscriptionId: string, action: string, extra: { planId?: string; quantity?: number } = {}): Promise<unknown> {
  return control(`/subscriptions/${encodeURIComponent(subscriptionId)}/actions`, { body: { action, ...extra } });
}

/** The emulator's view of a subscription (Microsoft's side of the truth). */
export function marketplaceSubscription<T = { saasSubscriptionStatus: string; planId: string; quantity?: number }>(subscriptionId: string): Promise<T> {
  return control<{ subscription: T }>(`/subscriptions/${encodeURIComponent(subscriptionId)}`).then((detail) => detail.subscription);
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` (default 15 s). */
export function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return eventually(description, probe, options.timeoutMs ?? 15_000, options.intervalMs);
}
