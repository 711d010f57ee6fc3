import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createPlanCatalog } from '../../shared/catalog';
import { systemClock } from '../../shared/clock';
import { noopIsvHooks } from '../../shared/isv/hooks';
import { consoleLogger } from '../../shared/logging';
import { createMarketplaceClient, type HttpSender, type MarketplaceApi, sendHttp } from '../../shared/marketplace';
import type { OperationMessage } from '../../shared/operations/operationMessage';
import { forEachLimited, reconcileSubscriptions, type ReconcileReport } from '../../shared/reconciliation';
import { createQueue, createTableStores, QUEUE_NAMES, type TableStores } from '../../shared/storage';
import { recordFromMarketplace } from '../../shared/subscription/fromMarketplace';
import { startAzurite, type RunningAzurite } from '../azurite';
import { createEmulator, type RunningEmulator } from '../emulator';
import type { SubscriptionRecord as EmulatorSubscription } from '../emulator/model';
import { emulatorCredential, emulatorSubscription } from './emulatorSeed';
import { formatMs } from './stats';

/**
 * Reconciliation of 10,000 emulator subscriptions against Table Storage (Azurite) with 1% drift:
 * 20 subscriptions missing locally, 20 with another status and 20 with another plan locally, 20
 * with other seats and 20 with another auto-renew flag at the marketplace. The emulator runs in this
 * process (seeded straight into its state); each reconciliation runs in a child process, as the
 * Functions worker would, so that its peak RSS is its own. Printed per run: wall time, peak RSS
 * (and the live heap after a full GC, which shows whether memory stays bounded), Table writes and
 * Marketplace API calls. Runs: 1% drift with Node's default heap sizing; 1% drift again (fresh
 * drift) with the old space capped at 96 MB; the repaired estate; the same without the
 * outstanding-operations check. BENCH_RECONCILE_COUNT changes the size.
 */
const COUNT = Number(process.env.BENCH_RECONCILE_COUNT ?? 10_000);
const DRIFT_EACH = Math.max(1, Math.round(COUNT / 500));
const CONCURRENCY = 8;
const CHILD_INPUT = 'RECONCILE_BENCH_CHILD';
const CAPPED_HEAP = ['--max-old-space-size=96'];

export async function run(): Promise<void> {
  const azurite = await startAzurite({ memoryLimitMb: 512 });
  const emulator = await createEmulator({ port: 0, authorityPort: 0, logger: consoleLogger({ level: 'error' }) });
  try {
    const identity = { emulatorUrl: emulator.url, tenantId: emulator.publisherTenantId, appId: emulator.publisherAppId };
    const marketplace = createMarketplaceClient({ baseUrl: emulator.apiBaseUrl, credential: await emulatorCredential(identity), clock: systemClock });
    const stores = createTableStores({ connectionString: azurite.connectionString, tableNamePrefix: 'bench' });
    await seed(emulator, marketplace, stores);
    console.log(`${COUNT} Subscribed subscriptions in ${Math.ceil(COUNT / emulator.state.config.pageSize)} pages of ${emulator.state.config.pageSize}, ${CONCURRENCY} compared at a time`);
    const child = { azurite, emulator };
    await measured('1% drift, outstanding operations checked', child, { checkOperations: true, drifted: await drift(emulator, stores, 0) });
    await measured('1% fresh drift, old space capped at 96 MB', child, { checkOperations: true, drifted: await drift(emulator, stores, 1), nodeArgs: CAPPED_HEAP });
    await measured('no drift left (next run)', child, { checkOperations: true, drifted: 0 });
    await measured('no drift, outstanding operations not checked', child, { checkOperations: false, drifted: 0 });
  } finally {
    await emulator.stop();
    await azurite.stop();
  }
}

interface ChildInput {
  emulatorUrl: string;
  apiBaseUrl: string;
  tenantId: string;
  appId: string;
  storage: string;
  checkOperations: boolean;
}

interface ChildOutput {
  wallMs: number;
  maxRssBytes: number;
  baselineRssBytes: number;
  liveHeapBytes: number;
  calls: { lists: number; operations: number; other: number };
  report: ReconcileReport;
}

/** One reconciliation in a child process (this same file, started directly); prints its figures. */
async function measured(
  label: string,
  where: { azurite: RunningAzurite; emulator: RunningEmulator },
  options: { checkOperations: boolean; drifted: number; nodeArgs?: string[] },
): Promise<void> {
  const { emulator } = where;
  const input: ChildInput = {
    emulatorUrl: emulator.url,
    apiBaseUrl: emulator.apiBaseUrl,
    tenantId: emulator.publisherTenantId,
    appId: emulator.publisherAppId,
    storage: where.azurite.connectionString,
    checkOperations: options.checkOperations,
  };
  const args = ['--expose-gc', ...(options.nodeArgs ?? []), __filename];
  const child = spawn(process.execPath, args, { env: { ...process.env, [CHILD_INPUT]: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the reconciliation process exited with ${String(code)}: ${stdout}`);
  const { wallMs, maxRssBytes, baselineRssBytes, liveHeapBytes, calls, report } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildOutput;
  const w = report.tableWrites;
  console.log(`\n${label}:`);
  console.log(`  wall time ${formatMs(wallMs)} (${((report.seen / wallMs) * 1000).toFixed(0)} subscriptions/s)`);
  console.log(`  peak RSS ${mb(maxRssBytes)} (${mb(baselineRssBytes)} with the modules loaded; live heap after a full GC at the end: ${mb(liveHeapBytes)})`);
  console.log(`  table writes: subscriptions ${w.subscriptions} (drifted rows: ${options.drifted}), history ${w.history}, operations ${w.operations}`);
  console.log(`  marketplace calls: ${calls.lists + calls.operations + calls.other} (list pages ${calls.lists}, outstanding operations ${calls.operations}, available plans ${calls.other})`);
  console.log(`  plan catalog: ${report.catalog.asked} offer/plan pairs asked, ${report.catalog.plansSaved} plans saved (upserts, not counted above), ${report.catalog.failed} failed`);
  console.log(`  seen ${report.seen}, unchanged ${report.unchanged}, repaired ${report.repaired}, imported ${report.imported}, failed ${report.failed}, drift ${JSON.stringify(report.drift)}`);
}

/** The child: one reconciliation with the app's code over HTTP and Azurite, then one JSON line on stdout. */
async function child(input: ChildInput): Promise<void> {
  const calls = countMarketplaceCalls(input.apiBaseUrl);
  const marketplace = createMarketplaceClient({ baseUrl: input.apiBaseUrl, credential: await emulatorCredential(input), clock: systemClock, http: calls.send });
  const stores = createTableStores({ connectionString: input.storage, tableNamePrefix: 'bench' });
  const baselineRssBytes = process.memoryUsage.rss();
  const started = performance.now();
  const report = await reconcileSubscriptions({
    ...stores,
    plans: createPlanCatalog({ connectionString: input.storage, tableNamePrefix: 'bench' }),
    marketplace,
    operationsQueue: createQueue<OperationMessage>({ connectionString: input.storage }, QUEUE_NAMES.operations),
    isv: noopIsvHooks,
    clock: systemClock,
    logger: consoleLogger({ level: 'error' }),
    newId: randomUUID,
    settings: { concurrency: CONCURRENCY, checkOperations: input.checkOperations },
  });
  const wallMs = performance.now() - started;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  (globalThis as { gc?: () => void }).gc?.();
  const output: ChildOutput = { wallMs, maxRssBytes, baselineRssBytes, liveHeapBytes: process.memoryUsage().heapUsed, calls: calls.snapshot(), report };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

/** COUNT Subscribed subscriptions straight into the emulator's state, and the same records in Table Storage. */
async function seed(emulator: RunningEmulator, marketplace: MarketplaceApi, stores: TableStores): Promise<void> {
  const now = new Date();
  for (let i = 0; i < COUNT; i += 1) {
    const sub = emulatorSubscription(i, now);
    emulator.state.subscriptions.set(sub.id, sub);
  }
  const at = now.toISOString();
  await forEachLimited(marketplace.listSubscriptions(), 32, async (truth) => {
    await stores.subscriptions.create(recordFromMarketplace(truth, at));
  });
}

/**
 * DRIFT_EACH of each kind, spread over the estate (round 1 picks other subscriptions than round 0):
 * new at the marketplace only, status and plan changed locally, seats and auto-renew changed at
 * the marketplace. Returns the number of drifted rows.
 */
async function drift(emulator: RunningEmulator, stores: TableStores, round: number): Promise<number> {
  const all = [...emulator.state.subscriptions.values()];
  const pick = (kind: number, eligible: (sub: EmulatorSubscription) => boolean): EmulatorSubscription[] =>
    all.filter(eligible).filter((_sub, i) => i % 50 === round * 5 + kind).slice(0, DRIFT_EACH);
  const local = async (sub: EmulatorSubscription, change: (record: Parameters<TableStores['subscriptions']['create']>[0]) => void): Promise<void> => {
    await stores.subscriptions.updateWithRetry(sub.id, (record) => {
      change(record);
      return record;
    });
  };
  for (const sub of pick(0, () => true)) await local(sub, (record) => (record.status = 'Suspended'));
  for (const sub of pick(1, () => true)) await local(sub, (record) => (record.planId = sub.offerId === 'contoso-seats' ? 'business' : 'professional'));
  for (const sub of pick(2, () => true)) sub.autoRenew = !sub.autoRenew;
  for (const sub of pick(3, (candidate) => candidate.quantity !== undefined)) sub.quantity = (sub.quantity ?? 0) + 1;
  const now = new Date();
  for (let i = 0; i < DRIFT_EACH; i += 1) {
    const sub = emulatorSubscription(COUNT + round * DRIFT_EACH + i, now);
    emulator.state.subscriptions.set(sub.id, sub);
  }
  return DRIFT_EACH * 5;
}

/** Counts requests to the Marketplace API through the client's HTTP sender (node:http), which it wraps. */
function countMarketplaceCalls(apiBaseUrl: string): { send: HttpSender; snapshot: () => ChildOutput['calls'] } {
  const counts = { lists: 0, operations: 0, other: 0 };
  const send: HttpSender = (url, init) => {
    const target = typeof url === 'string' ? new URL(url) : url;
    if (target.href.startsWith(apiBaseUrl)) {
      const { pathname } = target;
      if (/\/saas\/subscriptions\/?$/.test(pathname)) counts.lists += 1;
      else if (/\/operations$/.test(pathname)) counts.operations += 1;
      else counts.other += 1;
    }
    return sendHttp(url, init);
  };
  return { send, snapshot: () => ({ ...counts }) };
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MB`;

if (require.main === module) {
  const input = process.env[CHILD_INPUT];
  if (input === undefined) {
    process.stderr.write('run it through `npm run bench reconcile`; this file is started directly only as the reconciliation child\n');
    process.exit(2);
  }
  child(JSON.parse(input) as ChildInput).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`reconciliation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
