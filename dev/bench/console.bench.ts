import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import type { AdminDependencies } from '../../shared/admin';
import { systemClock } from '../../shared/clock';
import { serveConsole, type ConsoleDeps } from '../../shared/console';
import { CONSOLE_PAGE_SIZE } from '../../shared/console/searchSubscriptions';
import { consoleLogger } from '../../shared/logging';
import type { PoisonQueueStore } from '../../shared/operations/poisonQueue';
import { createTableStores, searchIndexedSubscriptions, searchTerms, type SubscriptionSearchIndex, type SubscriptionStore, type TableStores } from '../../shared/storage';
import type { SubscriptionRecord } from '../../shared/subscription/model';
import { startAzurite } from '../azurite';
import { formatMs, percentile, timed } from './stats';

/**
 * Time to render the console's subscriptions page (access check, query plan, Table Storage on
 * Azurite, HTML) for 1,000 and for 20,000 stored subscriptions, in one run (two table sets in one
 * Azurite, measured in alternating rounds): the first page, a page deep in the list (the last full
 * page, from a continuation token captured once during set-up), a filter by status that 1 row in 20
 * passes, and a search by buyer e-mail through the search index. Each case is sampled in ROUNDS rounds of SAMPLES renders; a figure is the median
 * of the round medians. Besides its wall time, each render's storage time (wall time with at least
 * one storage request in flight: Azurite's share) and this process's CPU time (SDK requests and
 * responses, decoding, access check, query plan, HTML: the app's share) are measured, and its
 * requests and rows returned are counted; the 20,000 / 1,000 ratio is printed for each. The
 * overview's count of subscriptions by status is timed once per round too.
 *
 * Azurite is not Table Storage: it answers every query by scanning the whole table and sorting the
 * matches (LokiJS), so its query time grows with the table while the service seeks its
 * (PartitionKey, RowKey) index; and every write scans the written row's partition, so the search
 * index (one partition) fills in quadratic time. Hence the split above, and the search index is only
 * built for estates of at most MAX_INDEXED subscriptions (docs/console.md, "Performance").
 *
 * The page is rendered in this process through `serveConsole` (the code behind GET
 * /api/console/subscriptions without the Functions host's HTTP hop, which does not depend on the
 * number of rows). BENCH_CONSOLE_SIZES changes the sizes (comma-separated).
 */
const SIZES = (process.env.BENCH_CONSOLE_SIZES ?? '1000,20000').split(',').map(Number);
const ROUNDS = 3;
const SAMPLES = 15;
const SEED_CONCURRENCY = 16;
/** Azurite fills a one-partition table in quadratic time (6,000 rows ~10 s, 12,000 ~50 s on the shared machine). */
const MAX_INDEXED = 2_000;
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
    status: i % 20 === 0 ? 'Suspended' : 'Subscribed',
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

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Stores the records through the real store, one insert each (PartitionKey is the subscription id,
 * so no two records can share an entity-group transaction), SEED_CONCURRENCY in flight; then, up to
 * MAX_INDEXED records, their search rows in entity-group transactions of 100 (what "Rebuild the
 * search index" does). Returns a line saying what it did and how long it took.
 */
async function seed(tables: TableStores, size: number): Promise<string> {
  const stored = await timed(size, SEED_CONCURRENCY, (i) => tables.subscriptions.create(record(i)));
  const line = `${size} subscriptions stored in ${seconds(stored.wallMs)} (one insert each, ${SEED_CONCURRENCY} in flight)`;
  const entries = Array.from({ length: size }, (_, i) => ({ subscriptionId: guid(i), terms: searchTerms(record(i)) }));
  const rows = entries.reduce((sum, entry) => sum + entry.terms.length, 0);
  if (size > MAX_INDEXED) return `${line}; search index not built (Azurite would need hours for its ${rows} rows in one partition)`;
  const began = performance.now();
  for (let start = 0; start < size; start += 1_000) await tables.searchIndex.putMany(entries.slice(start, start + 1_000));
  return `${line}; search index (${rows} rows, ${Math.ceil(rows / 100)}-odd transactions) in ${seconds(performance.now() - began)}`;
}

/** The continuation token of the row at `index` in list order, through the store's own paging (pages of up to 1,000). */
async function tokenOfRow(store: SubscriptionStore, index: number): Promise<string> {
  let read = 0;
  let token: string | undefined;
  while (read < index) {
    const page = await store.list({ pageSize: Math.min(1_000, index - read), continuationToken: token });
    read += page.items.length;
    token = page.continuationToken;
    if (token === undefined) throw new Error(`the list ends after ${read} rows`);
  }
  return token ?? '';
}

/** Storage requests of the renders: wall time with at least one in flight, requests, rows returned. */
class StorageMeter {
  busyMs = 0;
  queries = 0;
  reads = 0;
  rows = 0;
  private inFlight = 0;
  private since = 0;

  reset(): void {
    this.busyMs = 0;
    this.queries = 0;
    this.reads = 0;
    this.rows = 0;
  }

  async track<T>(kind: 'queries' | 'reads', call: Promise<T>, rows: (result: T) => number): Promise<T> {
    this[kind] += 1;
    if (this.inFlight === 0) this.since = performance.now();
    this.inFlight += 1;
    try {
      const result = await call;
      this.rows += rows(result);
      return result;
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.busyMs += performance.now() - this.since;
    }
  }
}

interface Sample {
  total: number;
  storage: number;
  /** CPU time of this process (user + system): SDK requests and responses, decoding, query plan, HTML. */
  cpu: number;
  requests: string;
}
type Part = 'total' | 'storage' | 'cpu';

interface Estate {
  size: number;
  render: (url: string) => Promise<Sample>;
  cases: Array<[string, string]>;
  /** Per case, per round: the medians of the renders' figures, and the requests of a render. */
  rounds: Sample[][];
  /** The overview's count by status (not cached here), once per round: its wall time. */
  countStatuses: () => Promise<unknown>;
  countMs: number[];
}

/** GET /api/console/… as a Console.Reader, through `serveConsole`, over these tables, measured. */
function renderer(tables: TableStores, logger: ReturnType<typeof consoleLogger>): (url: string) => Promise<Sample> {
  const meter = new StorageMeter();
  const indexed = searchIndexedSubscriptions(tables.subscriptions, tables.searchIndex, (error) => logger.error('index write failed', { error }));
  const subscriptions: SubscriptionStore = {
    ...indexed,
    get: (id) => meter.track('reads', indexed.get(id), (found) => (found === undefined ? 0 : 1)),
    list: (options) => meter.track('queries', indexed.list(options), (page) => page.items.length),
  };
  const index = tables.searchIndex;
  const searchIndex: SubscriptionSearchIndex = {
    put: (id, terms, stale) => index.put(id, terms, stale),
    putMany: (entries) => index.putMany(entries),
    remove: (id, terms) => index.remove(id, terms),
    search: (prefix, options) => meter.track('queries', index.search(prefix, options), (page) => page.items.length),
  };
  const deps: ConsoleDeps = {
    settings: { auth: 'easyAuth', formSecret: SECRET },
    // The subscriptions page reads only these parts of the admin wiring.
    admin: { subscriptions, clock: systemClock } as unknown as AdminDependencies,
    operationLog: tables.operationLog,
    searchIndex,
    statusCounts: undefined as unknown as ConsoleDeps['statusCounts'],
    usage: undefined as unknown as ConsoleDeps['usage'],
    poison: undefined as unknown as PoisonQueueStore,
    logger,
  };
  return async (pathAndQuery) => {
    meter.reset();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const response: HttpResponseInit = await serveConsole(() => deps, { method: 'GET', url: `http://127.0.0.1:7071${pathAndQuery}`, headers: new Headers({ 'x-ms-client-principal': READER }), body: null, invocationId: 'bench' }, logger);
    const total = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (response.status !== 200) throw new Error(`GET ${pathAndQuery} answered ${response.status}`);
    return { total, storage: meter.busyMs, cpu: (used.user + used.system) / 1000, requests: `${meter.queries} ${meter.queries === 1 ? 'query' : 'queries'}, ${meter.reads} point reads, ${meter.rows} rows` };
  };
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
      console.log(await seed(tables, size));
      const deepPage = Math.floor(size / CONSOLE_PAGE_SIZE);
      const began = performance.now();
      const deepToken = await tokenOfRow(tables.subscriptions, (deepPage - 1) * CONSOLE_PAGE_SIZE);
      console.log(`  token of page ${deepPage} captured in ${seconds(performance.now() - began)}`);
      const cases: Array<[string, string]> = [
        ['first page', '/api/console/subscriptions'],
        [`deep page (page ${deepPage} of ${Math.ceil(size / CONSOLE_PAGE_SIZE)})`, `/api/console/subscriptions?next=${encodeURIComponent(deepToken)}`],
      ];
      cases.push(['filter by status (1 in 20 rows)', '/api/console/subscriptions?status=Suspended']);
      if (size <= MAX_INDEXED) cases.push(['search by buyer e-mail', `/api/console/subscriptions?q=${encodeURIComponent(`buyer${Math.floor(size / 2)}@customer`)}`]);
      estates.push({ size, render: renderer(tables, logger), cases, rounds: cases.map(() => []), countStatuses: () => tables.subscriptionStatuses.countByStatus(), countMs: [] });
    }
    // Warm-up (JIT, connections), not measured.
    for (const estate of estates) for (const [, url] of estate.cases) for (let i = 0; i < 5; i += 1) await estate.render(url);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const estate of estates) {
        for (const [c, [, url]] of estate.cases.entries()) {
          const samples: Sample[] = [];
          for (let i = 0; i < SAMPLES; i += 1) samples.push(await estate.render(url));
          const median = (part: Part): number => percentile(samples.map((s) => s[part]), 50);
          estate.rounds[c]?.push({ total: median('total'), storage: median('storage'), cpu: median('cpu'), requests: samples[samples.length - 1]?.requests ?? '' });
        }
        const start = performance.now();
        await estate.countStatuses();
        estate.countMs.push(performance.now() - start);
      }
    }
    const figure = (estate: Estate, c: number, part: Part): number => percentile((estate.rounds[c] ?? []).map((r) => r[part]), 50);
    for (const estate of estates) {
      for (const [c, [label]] of estate.cases.entries()) {
        const rounds = estate.rounds[c] ?? [];
        console.log(
          `  ${estate.size} subscriptions, ${label}: render ${formatMs(figure(estate, c, 'total'))} (round medians ${rounds.map((r) => formatMs(r.total)).join(', ')}), ` +
            `storage (Azurite) ${formatMs(figure(estate, c, 'storage'))}, app CPU ${formatMs(figure(estate, c, 'cpu'))}; ${rounds[0]?.requests} (${ROUNDS}x${SAMPLES} renders)`,
        );
      }
    }
    for (const estate of estates) {
      console.log(`  ${estate.size} subscriptions, the overview's count by status (16 projection queries, then cached for a minute): ${formatMs(percentile(estate.countMs, 50))} (rounds ${estate.countMs.map(formatMs).join(', ')})`);
    }
    const [small, large] = estates;
    if (small !== undefined && large !== undefined) {
      console.log(`ratio ${large.size} / ${small.size} (target at most 1.5):`);
      small.cases.forEach(([label], c) => {
        const name = label.replace(/ \(.*\)$/, '');
        if (c >= large.cases.length) return console.log(`  ${name}: not measured at ${large.size} (no search index there, see above)`);
        const ratio = (part: Part): string => `${(figure(large, c, part) / figure(small, c, part)).toFixed(2)}x`;
        console.log(`  ${name}: render ${ratio('total')}, storage (Azurite) ${ratio('storage')}, app CPU ${ratio('cpu')}`);
      });
    }
  } finally {
    await azurite.stop();
  }
}
