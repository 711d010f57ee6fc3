import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import type { AdminDependencies } from '../../shared/admin';
import { systemClock } from '../../shared/clock';
import { serveConsole, type ConsoleDeps } from '../../shared/console';
import { consoleLogger } from '../../shared/logging';
import type { PoisonQueueStore } from '../../shared/operations/poisonQueue';
import { createTableStores, searchIndexedSubscriptions, searchTerms, type TableStores } from '../../shared/storage';
import type { SubscriptionRecord } from '../../shared/subscription/model';
import { startAzurite } from '../azurite';
import { formatMs, percentile } from './stats';

/**
 * Time to render the console's subscriptions page (access check, query plan, Table Storage on
 * Azurite, HTML) for 1,000 and then 20,000 stored subscriptions, in one run: the first page, a page
 * deep in the list (the last full page, reached through its continuation token), and a search by
 * buyer e-mail through the search index. Each case is sampled ROUNDS times SAMPLES renders; the
 * figure is the median of the round medians, and the 20,000 / 1,000 ratio is printed per case.
 * The page is rendered in this process through `serveConsole` (the code behind GET
 * /api/console/subscriptions without the Functions host's HTTP hop, which does not depend on the
 * number of rows). BENCH_CONSOLE_SIZES changes the sizes (comma-separated).
 */
const SIZES = (process.env.BENCH_CONSOLE_SIZES ?? '1000,20000').split(',').map(Number);
const ROUNDS = 3;
const SAMPLES = 15;
const PAGE_SIZE = 50;
const SEED_CONCURRENCY = 16;
const SECRET = 'console-bench-secret-0123456789abcdef0123';
const READER = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'Bench Reader' }, { typ: 'roles', val: 'Console.Reader' }] })).toString('base64');

function guid(i: number): string {
  const hex = createHash('sha256').update(`console-bench-${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function record(i: number): SubscriptionRecord {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    id: guid(i),
    name: `Customer ${i} workspace`,
    offerId: i % 2 === 0 ? 'contoso-seats' : 'contoso-analytics',
    planId: i % 3 === 0 ? 'business' : 'team',
    quantity: 1 + (i % 50),
    status: i % 100 === 0 ? 'Suspended' : 'Subscribed',
    term: { termUnit: 'P1M', startDate: '2026-01-01T00:00:00Z', endDate: '2026-01-31T00:00:00Z' },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    purchaser: { emailId: `buyer${i}@customer${i % 97}.example`, tenantId: guid(i + 10_000_000) },
    createdAt: at,
    updatedAt: at,
  };
}

/** Stores the records (one insert each) and their search rows in bulk (what "Rebuild the search index" does). */
async function seed(tables: TableStores, from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < to) {
        const i = next;
        next += 1;
        await tables.subscriptions.create(record(i));
      }
    }),
  );
  for (let start = from; start < to; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, to - start) }, (_, k) => record(start + k));
    await tables.searchIndex.putMany(batch.map((r) => ({ subscriptionId: r.id, terms: searchTerms(r) })));
  }
}

export async function run(): Promise<void> {
  const azurite = await startAzurite({ memoryLimitMb: 1024 });
  try {
    const tables = createTableStores({ connectionString: azurite.connectionString, tableNamePrefix: 'benchconsole' });
    const logger = consoleLogger({ level: 'error' });
    const subscriptions = searchIndexedSubscriptions(tables.subscriptions, tables.searchIndex, (error) => logger.error('index write failed', { error }));
    const deps: ConsoleDeps = {
      settings: { auth: 'easyAuth', formSecret: SECRET },
      // The subscriptions page reads only these parts of the admin wiring.
      admin: { subscriptions, clock: systemClock } as unknown as AdminDependencies,
      operationLog: tables.operationLog,
      searchIndex: tables.searchIndex,
      usage: undefined as unknown as ConsoleDeps['usage'],
      poison: undefined as unknown as PoisonQueueStore,
      logger,
    };
    const render = async (pathAndQuery: string): Promise<HttpResponseInit> => {
      const response = await serveConsole(() => deps, { method: 'GET', url: `http://127.0.0.1:7071${pathAndQuery}`, headers: new Headers({ 'x-ms-client-principal': READER }), body: null, invocationId: 'bench' }, logger);
      if (response.status !== 200) throw new Error(`GET ${pathAndQuery} answered ${response.status}`);
      return response;
    };
    const results = new Map<string, number[]>();
    let seeded = 0;
    for (const size of SIZES) {
      const began = performance.now();
      await seed(tables, seeded, size);
      seeded = size;
      console.log(`${size} subscriptions stored (with their search rows), seeding took ${((performance.now() - began) / 1000).toFixed(1)} s`);
      const deepToken = await tokenOfPage(render, Math.floor(size / PAGE_SIZE) - 1);
      const cases: Array<[string, string]> = [
        ['first page', '/api/console/subscriptions'],
        [`deep page (page ${Math.floor(size / PAGE_SIZE)} of ${Math.ceil(size / PAGE_SIZE)})`, `/api/console/subscriptions?next=${encodeURIComponent(deepToken)}`],
        ['search by buyer e-mail', `/api/console/subscriptions?q=${encodeURIComponent(`buyer${Math.floor(size / 2)}@customer`)}`],
      ];
      for (const [label, url] of cases) {
        const medians: number[] = [];
        for (let round = 0; round < ROUNDS; round += 1) {
          const samples: number[] = [];
          for (let i = 0; i < SAMPLES; i += 1) {
            const start = performance.now();
            await render(url);
            samples.push(performance.now() - start);
          }
          medians.push(percentile(samples, 50));
        }
        const key = label.replace(/ \(.*\)$/, '');
        results.set(key, [...(results.get(key) ?? []), percentile(medians, 50)]);
        console.log(`  ${size} subscriptions, ${label}: median ${formatMs(percentile(medians, 50))} (round medians ${medians.map(formatMs).join(', ')}; ${ROUNDS}x${SAMPLES} renders)`);
      }
    }
    if (SIZES.length === 2) {
      console.log(`ratio ${SIZES[1]} / ${SIZES[0]} (target at most 1.5):`);
      for (const [label, [small, large]] of results) console.log(`  ${label}: ${((large ?? Number.NaN) / (small ?? Number.NaN)).toFixed(2)}x`);
    }
  } finally {
    await azurite.stop();
  }
}

/** Walks the list with the page's own "Next page" links (not timed) and returns the token of page `index` (0-based). */
async function tokenOfPage(render: (url: string) => Promise<HttpResponseInit>, index: number): Promise<string> {
  let url = '/api/console/subscriptions';
  let token = '';
  for (let page = 0; page < index; page += 1) {
    const body = String((await render(url)).body);
    const next = /href="([^"]*[?&]next=[^"]*)" rel="next"/.exec(body)?.[1];
    if (next === undefined) throw new Error(`page ${page} has no next link`);
    url = next.replace(/&amp;/g, '&');
    token = new URL(url, 'http://localhost').searchParams.get('next') ?? '';
  }
  return token;
}
