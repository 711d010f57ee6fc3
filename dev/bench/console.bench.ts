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
 * Azurite, HTML) for 1,000 and for 20,000 stored subscriptions, in one run (two table sets in one
 * Azurite, measured in alternating rounds): the first page, a page deep in the list (the last full
 * page, reached through its continuation token), and a search by buyer e-mail through the search
 * index. Each case is sampled in ROUNDS rounds of SAMPLES renders; the figure is the median of the
 * round medians, and the 20,000 / 1,000 ratio is printed per case.
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
    const logger = consoleLogger({ level: 'error' });
    // One table set per size, both kept, so that the sizes are measured in alternating rounds under
    // the same machine load (this machine is shared and its load moves by the minute).
    const estates: Estate[] = [];
    for (const [n, size] of SIZES.entries()) {
      const tables = createTableStores({ connectionString: azurite.connectionString, tableNamePrefix: `benchconsole${n}` });
      const began = performance.now();
      await seed(tables, 0, size);
      const render = renderer(tables, logger);
      const deepToken = await tokenOfPage(render, Math.floor(size / PAGE_SIZE) - 1);
      console.log(`${size} subscriptions stored (with their search rows), seeding took ${((performance.now() - began) / 1000).toFixed(1)} s`);
      estates.push({
        size,
        render,
        cases: [
          ['first page', '/api/console/subscriptions'],
          [`deep page (page ${Math.floor(size / PAGE_SIZE)} of ${Math.ceil(size / PAGE_SIZE)})`, `/api/console/subscriptions?next=${encodeURIComponent(deepToken)}`],
          ['search by buyer e-mail', `/api/console/subscriptions?q=${encodeURIComponent(`buyer${Math.floor(size / 2)}@customer`)}`],
        ],
        medians: [[], [], []],
      });
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const estate of estates) {
        for (const [c, [, url]] of estate.cases.entries()) {
          const samples: number[] = [];
          for (let i = 0; i < SAMPLES; i += 1) {
            const start = performance.now();
            await estate.render(url);
            samples.push(performance.now() - start);
          }
          estate.medians[c]?.push(percentile(samples, 50));
        }
      }
    }
    for (const estate of estates) {
      for (const [c, [label]] of estate.cases.entries()) {
        const medians = estate.medians[c] ?? [];
        console.log(`  ${estate.size} subscriptions, ${label}: median ${formatMs(percentile(medians, 50))} (round medians ${medians.map(formatMs).join(', ')}; ${ROUNDS}x${SAMPLES} renders)`);
      }
    }
    const [small, large] = estates;
    if (small !== undefined && large !== undefined) {
      console.log(`ratio ${large.size} / ${small.size} (target at most 1.5):`);
      small.cases.forEach(([label], c) => {
        const ratio = percentile(large.medians[c] ?? [], 50) / percentile(small.medians[c] ?? [], 50);
        console.log(`  ${label.replace(/ \(.*\)$/, '')}: ${ratio.toFixed(2)}x`);
      });
    }
  } finally {
    await azurite.stop();
  }
}

interface Estate {
  size: number;
  render: (url: string) => Promise<HttpResponseInit>;
  cases: Array<[string, string]>;
  /** Per case, the median of each round. */
  medians: number[][];
}

/** GET /api/console/… as a Console.Reader, through `serveConsole`, over these tables. */
function renderer(tables: TableStores, logger: ReturnType<typeof consoleLogger>): (url: string) => Promise<HttpResponseInit> {
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
  return async (pathAndQuery) => {
    const response = await serveConsole(() => deps, { method: 'GET', url: `http://127.0.0.1:7071${pathAndQuery}`, headers: new Headers({ 'x-ms-client-principal': READER }), body: null, invocationId: 'bench' }, logger);
    if (response.status !== 200) throw new Error(`GET ${pathAndQuery} answered ${response.status}`);
    return response;
  };
}

/** Walks the list with the page's own "Next page" links (not timed) and returns the token of page `index` (0-based). */
async function tokenOfPage(render: (url: string) => Promise<HttpResponseInit>, index: number): Promise<string> {
  let url = '/api/console/subscriptions';
  let token = '';
  for (let page = 0; page < index; page += 1) {
    const response = await render(url);
    const body = typeof response.body === 'string' ? response.body : '';
    const next = /href="([^"]*[?&]next=[^"]*)" rel="next"/.exec(body)?.[1];
    if (next === undefined) throw new Error(`page ${page} has no next link`);
    url = next.replace(/&amp;/g, '&');
    token = new URL(url, 'http://localhost').searchParams.get('next') ?? '';
  }
  return token;
}
