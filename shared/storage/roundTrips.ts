import type { PlanCatalog } from '../catalog/planCatalog';
import type { HistoryStore } from './historyStore';
import type { MessageQueue } from './messageQueue';
import type { OperationLedger } from './operationLedger';
import { updateWithRetry, type SubscriptionStore } from './subscriptionStore';

/** Round trips to one table: point reads, writes (inserts, replaces, transactions), queries (one per page asked for). */
export interface TableRoundTrips {
  reads: number;
  writes: number;
  queries: number;
}

/**
 * The round trips a piece of work made to storage and to the Marketplace API, counted at the ports
 * (each port method is one request: `append` with an idempotency key is one entity-group
 * transaction, `list` one page query; `updateWithRetry` is counted through the reads and updates it
 * makes). Marketplace calls are counted per API method called (the client's own retries inside one
 * call are not counted). Writes are counted whether they succeed or not: a refused conditional
 * write costs a round trip too.
 */
export interface RoundTrips {
  subscriptions: TableRoundTrips;
  operations: TableRoundTrips;
  history: TableRoundTrips;
  plans: TableRoundTrips;
  queueOperations: number;
  marketplaceCalls: Record<string, number>;
}

export function emptyRoundTrips(): RoundTrips {
  const table = (): TableRoundTrips => ({ reads: 0, writes: 0, queries: 0 });
  return { subscriptions: table(), operations: table(), history: table(), plans: table(), queueOperations: 0, marketplaceCalls: {} };
}

/** Reads, writes and queries summed over the tables. */
export function tableRoundTrips(counts: RoundTrips): TableRoundTrips {
  const tables = [counts.subscriptions, counts.operations, counts.history, counts.plans];
  return {
    reads: tables.reduce((sum, t) => sum + t.reads, 0),
    writes: tables.reduce((sum, t) => sum + t.writes, 0),
    queries: tables.reduce((sum, t) => sum + t.queries, 0),
  };
}

/** Every storage request: table reads, writes and queries plus queue operations. */
export function storageRoundTrips(counts: RoundTrips): number {
  const t = tableRoundTrips(counts);
  return t.reads + t.writes + t.queries + counts.queueOperations;
}

export function marketplaceCallCount(counts: RoundTrips): number {
  return Object.values(counts.marketplaceCalls).reduce((sum, n) => sum + n, 0);
}

/** Table writes per table (reconciliation reports these). */
export interface WriteCounts {
  subscriptions: number;
  history: number;
  operations: number;
}

export function writesOf(counts: RoundTrips): WriteCounts {
  return { subscriptions: counts.subscriptions.writes, history: counts.history.writes, operations: counts.operations.writes };
}

/** `a - b`, field by field (what happened between two snapshots). */
export function roundTripsSince(now: RoundTrips, before: RoundTrips): RoundTrips {
  const table = (a: TableRoundTrips, b: TableRoundTrips): TableRoundTrips => ({ reads: a.reads - b.reads, writes: a.writes - b.writes, queries: a.queries - b.queries });
  const calls: Record<string, number> = {};
  for (const [method, n] of Object.entries(now.marketplaceCalls)) {
    const diff = n - (before.marketplaceCalls[method] ?? 0);
    if (diff !== 0) calls[method] = diff;
  }
  return {
    subscriptions: table(now.subscriptions, before.subscriptions),
    operations: table(now.operations, before.operations),
    history: table(now.history, before.history),
    plans: table(now.plans, before.plans),
    queueOperations: now.queueOperations - before.queueOperations,
    marketplaceCalls: calls,
  };
}

/** One line: `tables r/w/q 1/2/0 (subscriptions 1/1/0, operations 0/1/0, history 0/0/0), queue 1, marketplace 2 (getOperation 1, …)`. */
export function formatRoundTrips(counts: RoundTrips): string {
  const t = (c: TableRoundTrips): string => `${c.reads}/${c.writes}/${c.queries}`;
  const calls = Object.entries(counts.marketplaceCalls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');
  return (
    `storage ${storageRoundTrips(counts)} (table r/w/q ${t(tableRoundTrips(counts))}: subscriptions ${t(counts.subscriptions)}, ` +
    `operations ${t(counts.operations)}, history ${t(counts.history)}, plans ${t(counts.plans)}; queue ${counts.queueOperations}), ` +
    `marketplace ${marketplaceCallCount(counts)}${calls === '' ? '' : ` (${calls})`}`
  );
}

function counted<A extends unknown[], R>(count: () => void, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) => {
    count();
    return call(...args);
  };
}

/**
 * The one counting wrapper over the storage ports and the Marketplace client, used by
 * reconciliation's report, the cost tests and the benchmarks. Each `wrap…` returns a port that
 * behaves exactly like the one it wraps and adds to `counts`.
 */
export class RoundTripCounter {
  constructor(readonly counts: RoundTrips = emptyRoundTrips()) {}

  snapshot(): RoundTrips {
    return structuredClone(this.counts);
  }

  subscriptions(store: SubscriptionStore): SubscriptionStore {
    const c = this.counts.subscriptions;
    const leases = store.leases;
    const wrapped: SubscriptionStore = {
      // The lease rows live in the subscriptions table: counted with it.
      leases: {
        create: counted(() => (c.writes += 1), (lease) => leases.create(lease)),
        get: counted(() => (c.reads += 1), (id) => leases.get(id)),
        update: counted(() => (c.writes += 1), (lease, etag) => leases.update(lease, etag)),
        delete: counted(() => (c.writes += 1), (id, etag) => leases.delete(id, etag)),
      },
      get: counted(() => (c.reads += 1), (id) => store.get(id)),
      list: counted(() => (c.queries += 1), (options) => store.list(options)),
      create: counted(() => (c.writes += 1), (record) => store.create(record)),
      // With `releaseLease`, one entity-group transaction: one round trip.
      update: counted(() => (c.writes += 1), (record, etag, options) => store.update(record, etag, options)),
      updateWithRetry: (id, mutate, options) => updateWithRetry(wrapped, id, mutate, options),
    };
    return wrapped;
  }

  /** Any part of an OperationLedger; the methods it has are counted. */
  operations<L extends Partial<OperationLedger>>(ledger: L): L {
    const c = this.counts.operations;
    const wrapped: Partial<OperationLedger> = {};
    if (ledger.get !== undefined) wrapped.get = counted(() => (c.reads += 1), ledger.get.bind(ledger));
    if (ledger.create !== undefined) wrapped.create = counted(() => (c.writes += 1), ledger.create.bind(ledger));
    if (ledger.update !== undefined) wrapped.update = counted(() => (c.writes += 1), ledger.update.bind(ledger));
    if (ledger.settle !== undefined) wrapped.settle = counted(() => (c.writes += 1), ledger.settle.bind(ledger));
    return wrapped as L;
  }

  history(store: HistoryStore): HistoryStore {
    const c = this.counts.history;
    return {
      append: counted(() => (c.writes += 1), (entry) => store.append(entry)),
      list: counted(() => (c.queries += 1), (subscriptionId, options) => store.list(subscriptionId, options)),
    };
  }

  /** `save` is one entity-group transaction per offer (up to 100 plans each). */
  plans<P extends Partial<PlanCatalog>>(catalog: P): P {
    const c = this.counts.plans;
    const wrapped: Partial<PlanCatalog> = {};
    if (catalog.get !== undefined) wrapped.get = counted(() => (c.reads += 1), catalog.get.bind(catalog));
    if (catalog.list !== undefined) wrapped.list = counted(() => (c.queries += 1), catalog.list.bind(catalog));
    if (catalog.listByOffer !== undefined) wrapped.listByOffer = counted(() => (c.queries += 1), catalog.listByOffer.bind(catalog));
    if (catalog.save !== undefined) {
      const save = catalog.save.bind(catalog);
      wrapped.save = (plans) => {
        c.writes += new Set(plans.map((plan) => plan.offerId)).size;
        return save(plans);
      };
    }
    return wrapped as P;
  }

  queue<T>(queue: MessageQueue<T>): MessageQueue<T> {
    return { name: queue.name, send: counted(() => (this.counts.queueOperations += 1), (message, options) => queue.send(message, options)) };
  }

  /** Counts every method called on `client` (a MarketplaceApi or any part of it), by method name. */
  marketplace<M extends object>(client: M): M {
    const calls = this.counts.marketplaceCalls;
    return new Proxy(client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          calls[property] = (calls[property] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
