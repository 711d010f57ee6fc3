import path from 'node:path';
import { createTableStores } from '../../shared/storage';
import { startStack } from '../stack';
import { formatMs, percentile } from './stats';

/**
 * Landing page figures on the local stack (Azurite, emulator, local host running dist/), with the
 * queue settings of host.json: time to first byte of the landing page for a new purchase and for a
 * "Manage account" visit of an active subscription, and purchase-to-Subscribed (from the buyer
 * opening the landing link to the record reading Subscribed in Table Storage) over PURCHASES
 * sequential purchases in automatic mode, plus a few after the queue sat idle (the listener's
 * polling back-off, up to maxPollingInterval, then dominates). Prints; never asserts.
 */
const PURCHASES = 60;
/** A few more purchases, each after the queue sat idle (its listener backs off up to maxPollingInterval). */
const IDLE_PURCHASES = 10;
const IDLE_MS = 4_000;
const POLL_MS = 10;

interface Purchase {
  subscriptionId: string;
  landingUrl: string;
}

export async function run(): Promise<void> {
  const stack = await startStack({ appDir: path.resolve(__dirname, '..', '..', '..'), hostPort: 0, emulatorPort: 0, authorityPort: 0 });
  try {
    const stores = createTableStores({ connectionString: stack.azurite.connectionString });
    const buy = async (i: number): Promise<Purchase> => {
      const response = await fetch(`${stack.emulator.url}/control/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(i % 2 === 0 ? { offerId: 'contoso-analytics', planId: 'starter' } : { offerId: 'contoso-seats', planId: 'team', quantity: 5 }),
      });
      if (!response.ok) throw new Error(`purchase failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as Purchase;
    };
    const firstByte = async (url: string): Promise<number> => {
      const start = performance.now();
      const response = await fetch(url, { redirect: 'manual' });
      const elapsed = performance.now() - start;
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`landing page answered ${response.status}`);
      return elapsed;
    };
    const untilSubscribed = async (subscriptionId: string, since: number): Promise<number> => {
      const deadline = since + 60_000;
      for (;;) {
        if ((await stores.subscriptions.get(subscriptionId))?.value.status === 'Subscribed') return performance.now() - since;
        if (performance.now() > deadline) throw new Error(`subscription ${subscriptionId} was not Subscribed within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };

    // Warm-up: the first invocation builds the dependencies and creates the tables and queue.
    const warm = await buy(0);
    await firstByte(warm.landingUrl);
    await untilSubscribed(warm.subscriptionId, performance.now());

    const newVisit: number[] = [];
    const toSubscribed: number[] = [];
    const manageVisit: number[] = [];
    for (let i = 0; i < PURCHASES; i += 1) {
      const bought = await buy(i);
      const opened = performance.now();
      newVisit.push(await firstByte(bought.landingUrl));
      toSubscribed.push(await untilSubscribed(bought.subscriptionId, opened));
      manageVisit.push(await firstByte(bought.landingUrl));
    }
    const afterIdle: number[] = [];
    for (let i = 0; i < IDLE_PURCHASES; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const bought = await buy(i);
      const opened = performance.now();
      await firstByte(bought.landingUrl);
      afterIdle.push(await untilSubscribed(bought.subscriptionId, opened));
    }

    const line = (label: string, samples: number[]): string =>
      `${label}: n=${samples.length}, median ${formatMs(percentile(samples, 50))}, p95 ${formatMs(percentile(samples, 95))}, max ${formatMs(Math.max(...samples))}`;
    console.log('local stack; queue settings from host.json (maxPollingInterval 2 s, visibilityTimeout 10 s); automatic activation');
    console.log(line('landing page time to first byte, new purchase', newVisit));
    console.log(line('landing page time to first byte, active subscription (manage account)', manageVisit));
    console.log(line('purchase-to-Subscribed (landing link opened -> Subscribed in Table Storage), back to back', toSubscribed));
    console.log(line(`purchase-to-Subscribed after the queue sat idle ${IDLE_MS / 1000} s`, afterIdle));
  } finally {
    await stack.stop();
  }
}
