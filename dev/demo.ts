import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTableStores, type SubscriptionStore } from '../shared/storage';
import { startStack, type RunningStack } from './stack';

/**
 * `npm run demo`: drives one subscription through its whole lifecycle on the local stack and prints
 * every state change as it happens, as Microsoft sees it (the emulator) and as the app records it
 * (Table Storage). Attaches to a running `npm start`, or starts a stack of its own.
 */
const appDir = path.resolve(__dirname, '..', '..');
export const STACK_FILE = path.join(appDir, '.tmp', 'local-stack.json');

interface Endpoints {
  hostUrl: string;
  emulatorUrl: string;
  storageConnectionString: string;
}

interface View {
  status?: string;
  planId?: string;
  quantity?: number;
  termEnd?: string;
}

async function attachOrStart(): Promise<{ endpoints: Endpoints; stack?: RunningStack }> {
  if (existsSync(STACK_FILE)) {
    const endpoints = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as Endpoints;
    const alive = await fetch(`${endpoints.hostUrl}/api/health`).then((r) => r.ok, () => false);
    if (alive) return { endpoints };
  }
  process.stdout.write('No running `npm start` found: starting a stack for the demo…\n');
  const stack = await startStack({ appDir, hostPort: 0, emulatorPort: 0, authorityPort: 0, ackWindowMs: 3000 });
  return { endpoints: { hostUrl: stack.hostUrl, emulatorUrl: stack.emulator.url, storageConnectionString: stack.azurite.connectionString }, stack };
}

async function control<T>(emulatorUrl: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${emulatorUrl}/control${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function describe(view: View): string {
  if (view.status === undefined) return '(no record)';
  const seats = view.quantity === undefined ? '' : `, ${view.quantity} seats`;
  const term = view.termEnd === undefined ? '' : `, term ends ${view.termEnd.slice(0, 10)}`;
  return `${view.status} on ${view.planId ?? '?'}${seats}${term}`;
}

class Watcher {
  private last = { microsoft: '', app: '' };

  constructor(
    private readonly endpoints: Endpoints,
    private readonly store: SubscriptionStore,
    private readonly subscriptionId: string,
  ) {}

  async poll(): Promise<{ microsoft: View; app: View }> {
    const detail = await control<{ subscription: { saasSubscriptionStatus: string; planId: string; quantity?: number; term?: { endDate?: string } } }>(
      this.endpoints.emulatorUrl,
      `/subscriptions/${this.subscriptionId}`,
    );
    const s = detail.subscription;
    const microsoft: View = { status: s.saasSubscriptionStatus, planId: s.planId, quantity: s.quantity, termEnd: s.term?.endDate };
    const local = (await this.store.get(this.subscriptionId))?.value;
    const app: View = local === undefined ? {} : { status: local.status, planId: local.planId, quantity: local.quantity, termEnd: local.term.endDate };
    for (const [side, view] of [['microsoft', microsoft], ['app', app]] as const) {
      const text = describe(view);
      if (text !== this.last[side]) {
        this.last[side] = text;
        process.stdout.write(`  ${new Date().toISOString().slice(11, 23)}  ${side === 'microsoft' ? 'Microsoft' : 'app      '}  ${text}\n`);
      }
    }
    return { microsoft, app };
  }

  /** Polls until both sides satisfy `done`, printing changes; fails after `timeoutMs`. */
  async until(label: string, done: (v: { microsoft: View; app: View }) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done(await this.poll())) return;
      if (Date.now() > deadline) throw new Error(`gave up waiting for: ${label}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

async function main(): Promise<void> {
  const { endpoints, stack } = await attachOrStart();
  const store = createTableStores({ connectionString: endpoints.storageConnectionString }).subscriptions;
  try {
    const bought = await control<{ subscriptionId: string; landingUrl: string }>(endpoints.emulatorUrl, '/purchases', {
      offerId: 'contoso-seats',
      planId: 'team',
      quantity: 5,
    });
    const watch = new Watcher(endpoints, store, bought.subscriptionId);
    const step = (text: string): void => {
      process.stdout.write(`\n▶ ${text}\n`);
    };

    step(`Purchased subscription ${bought.subscriptionId} (5 seats on "team"); the buyer opens the landing page`);
    await watch.poll();
    const page = await fetch(bought.landingUrl);
    process.stdout.write(`  landing page answered ${page.status}\n`);
    await watch.until('activation', (v) => v.microsoft.status === 'Subscribed' && v.app.status === 'Subscribed');

    const actions: Array<[string, Record<string, unknown>, (v: { microsoft: View; app: View }) => boolean]> = [
      ['ChangeQuantity to 12 seats', { action: 'ChangeQuantity', quantity: 12 }, (v) => v.app.quantity === 12 && v.microsoft.quantity === 12],
      ['ChangePlan to "business" (10 to 500 seats)', { action: 'ChangePlan', planId: 'business' }, (v) => v.app.planId === 'business' && v.microsoft.planId === 'business'],
      ['Suspend (payment problem)', { action: 'Suspend' }, (v) => v.app.status === 'Suspended'],
      ['Reinstate (payment fixed)', { action: 'Reinstate' }, (v) => v.app.status === 'Subscribed' && v.microsoft.status === 'Subscribed'],
      ['Renew (end of term)', { action: 'Renew' }, (v) => v.app.termEnd !== undefined && v.app.termEnd === v.microsoft.termEnd],
      ['Unsubscribe (cancelled)', { action: 'Unsubscribe' }, (v) => v.app.status === 'Unsubscribed'],
    ];
    for (const [label, body, done] of actions) {
      step(`Microsoft: ${label}`);
      const before = await watch.poll();
      await control(endpoints.emulatorUrl, `/subscriptions/${bought.subscriptionId}/actions`, body);
      await watch.until(label, (v) => done(v) && (label.startsWith('Renew') ? v.app.termEnd !== before.app.termEnd : true));
    }
    process.stdout.write('\nThe subscription went through its whole lifecycle; the app followed every step.\n');
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
