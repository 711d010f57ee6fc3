import { fixedClock } from '../../shared/clock';
import { createMarketplaceClient } from '../../shared/marketplace/createMarketplaceClient';
import { type MarketplaceApi, type MarketplaceClientOptions } from '../../shared/marketplace/marketplaceApi';
import { createFakeCredential, type FakeCredential } from './fakeCredential';
import { type FakeMarketplaceServer, startFakeMarketplaceServer } from './fakeMarketplaceServer';

export interface MarketplaceTestRig {
  server: FakeMarketplaceServer;
  credential: FakeCredential;
  client: MarketplaceApi;
  /** Every wait the client asked for, in ms (the sleep returns at once and moves the clock). */
  sleeps: number[];
  close(): Promise<void>;
}

/** Deterministic UUID-shaped ids: ...0001, ...0002, … */
export function sequentialIds(): () => string {
  let next = 0;
  return () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
}

/** A client wired to a fresh fake server, fake credential, instant sleep, fixed clock and ids. */
export async function createMarketplaceTestRig(overrides: Partial<MarketplaceClientOptions> = {}): Promise<MarketplaceTestRig> {
  const server = await startFakeMarketplaceServer();
  const credential = createFakeCredential();
  const clock = fixedClock('2026-01-05T12:00:00Z');
  const sleeps: number[] = [];
  const client = createMarketplaceClient({
    baseUrl: server.baseUrl,
    credential,
    clock,
    random: () => 0.5,
    newId: sequentialIds(),
    sleep: (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { server, credential, client, sleeps, close: () => server.close() };
}
