import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { startStack, type RunningStack } from '../../../dev/stack';
import { createTableStores, decodeQueueMessage, poisonQueueName, QUEUE_NAMES, type TableStores } from '../../../shared/storage';
import type { SubscriptionRecord } from '../../../shared/subscription/model';
import { eventually } from '../../support/eventually';

/** Where a stack answers: the shared e2e stack (harness) or one a test file started itself. */
export interface StackAddresses {
  hostUrl: string;
  emulatorUrl: string;
  storageConnectionString: string;
}

export interface Purchase {
  subscriptionId: string;
  token: string;
  landingUrl: string;
}

/** A 32+ character secret for the landing page form tokens of test stacks. */
export const TEST_FORM_SECRET = 'landing-e2e-form-secret-0123456789abcdef';

/** Queue timings of the shared e2e stack: retries a second apart, polls every half second. */
export const FAST_QUEUE_ARGS = ['--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.500'];

/** Starts a whole stack (Azurite, emulator, host) on free ports with these app settings. */
export async function startLandingStack(settingsOverrides: Record<string, string>, hostArgs = FAST_QUEUE_ARGS): Promise<RunningStack> {
  return startStack({
    appDir: path.resolve(__dirname, '..', '..', '..'),
    hostPort: 0,
    emulatorPort: 0,
    authorityPort: 0,
    settingsOverrides,
    hostArgs,
  });
}

export function addressesOf(stack: RunningStack): StackAddresses {
  return { hostUrl: stack.hostUrl, emulatorUrl: stack.emulator.url, storageConnectionString: stack.azurite.connectionString };
}

/** The customer's and Microsoft's side (emulator control API) and ours (Table Storage) of one stack. */
export class LandingStackClient {
  private stores: TableStores | undefined;

  constructor(readonly addresses: StackAddresses) {}

  async control<T>(pathAndQuery: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const response = await fetch(`${this.addresses.emulatorUrl}/control${pathAndQuery}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} /control${pathAndQuery} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  purchase(input: { offerId: string; planId: string; quantity?: number; name?: string }): Promise<Purchase> {
    return this.control<Purchase>('/purchases', { body: input });
  }

  /** A fresh landing link for an existing subscription (the "Manage account" visit). */
  newToken(subscriptionId: string): Promise<Purchase> {
    return this.control<Purchase>(`/purchases/${encodeURIComponent(subscriptionId)}/token`, { method: 'POST' });
  }

  async marketplaceStatus(subscriptionId: string): Promise<string> {
    const detail = await this.control<{ subscription: { saasSubscriptionStatus: string } }>(`/subscriptions/${encodeURIComponent(subscriptionId)}`);
    return detail.subscription.saasSubscriptionStatus;
  }

  fireAction(subscriptionId: string, action: string): Promise<unknown> {
    return this.control(`/subscriptions/${encodeURIComponent(subscriptionId)}/actions`, { body: { action } });
  }

  async addFault(rule: Record<string, unknown>): Promise<{ id: string; applied: number }> {
    return this.control<{ id: string; applied: number }>('/faults', { body: rule });
  }

  async removeFault(id: string): Promise<void> {
    await this.control(`/faults/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
  }

  /** How many requests a fault rule has affected (from the emulator's fault log). */
  async faultApplications(id: string): Promise<number> {
    const { log } = await this.control<{ log: Array<{ ruleId: string }> }>('/faults');
    return log.filter((entry) => entry.ruleId === id).length;
  }

  /** A page of the app, without following redirects. */
  page(urlOrPath: string, init: RequestInit = {}): Promise<Response> {
    const url = urlOrPath.startsWith('http') ? urlOrPath : `${this.addresses.hostUrl}${urlOrPath}`;
    return fetch(url, { redirect: 'manual', ...init });
  }

  private tables(): TableStores {
    this.stores ??= createTableStores({ connectionString: this.addresses.storageConnectionString });
    return this.stores;
  }

  async stored(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    return (await this.tables().subscriptions.get(subscriptionId))?.value;
  }

  async storedCount(offerId: string): Promise<number> {
    return (await this.tables().subscriptions.list({ offerId, pageSize: 1000 })).items.length;
  }

  async history(subscriptionId: string) {
    return (await this.tables().history.list(subscriptionId, { limit: 100 })).items;
  }

  /** Activation messages in `activations-poison`, decoded. */
  async poisonedActivations(): Promise<Array<{ subscriptionId?: string }>> {
    const queue = QueueServiceClient.fromConnectionString(this.addresses.storageConnectionString).getQueueClient(poisonQueueName(QUEUE_NAMES.activations));
    if (!(await queue.exists())) return [];
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((item) => decodeQueueMessage(item.messageText) as { subscriptionId?: string });
  }
}

export { eventually };
