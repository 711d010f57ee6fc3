import { fixedClock } from '../../../shared/clock';
import type { ChangeDecision, ChangeDecisionRequest, IsvEvent } from '../../../shared/isv/hooks';
import { createLogger, type LogFields, type LogLevel } from '../../../shared/logging';
import { MarketplaceApiError, type AcceptedOperation, type MarketplaceOperation, type MarketplaceSubscription } from '../../../shared/marketplace';
import { operationMessage, type OperationMessage } from '../../../shared/operations/operationMessage';
import type { ProcessOperationDeps, ProcessOperationSettings } from '../../../shared/operations/processOperation';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { buildMarketplaceSubscription } from '../../fixtures/buildMarketplaceSubscription';

export const NOW = '2026-03-02T12:00:00.000Z';
export const SUBSCRIPTION_ID = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';
export const OPERATION_ID = '7f0c3c2e-8a51-4d8b-9d0e-2f1a3b4c5d6e';

type MarketplacePort = ProcessOperationDeps['marketplace'];

export interface MarketplaceCall {
  method: 'getOperation' | 'getSubscription' | 'updateOperation' | 'deleteSubscription';
  args: unknown[];
}

const notFound = (operation: string): MarketplaceApiError => new MarketplaceApiError({ kind: 'http', operation, status: 404 });

/**
 * Microsoft's side in memory: subscriptions and operations, the acknowledgement PATCH (Success
 * applies the change and makes the operation Succeeded; only InProgress operations accept a PATCH,
 * 409 otherwise) and DELETE. `fail` makes the next call of a method throw.
 */
export class FakeMarketplace implements MarketplacePort {
  readonly subscriptions = new Map<string, MarketplaceSubscription>();
  readonly operations = new Map<string, MarketplaceOperation>();
  readonly calls: MarketplaceCall[] = [];
  readonly failures: Partial<Record<MarketplaceCall['method'], Error[]>> = {};
  /** When false, a PATCH Success leaves the operation InProgress (Microsoft is slow). */
  completeOnPatch = true;

  fail(method: MarketplaceCall['method'], error: Error): void {
    (this.failures[method] ??= []).push(error);
  }

  private enter(method: MarketplaceCall['method'], args: unknown[]): void {
    this.calls.push({ method, args });
    const error = this.failures[method]?.shift();
    if (error !== undefined) throw error;
  }

  callsOf(method: MarketplaceCall['method']): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  getOperation(subscriptionId: string, operationId: string): Promise<MarketplaceOperation> {
    this.enter('getOperation', [subscriptionId, operationId]);
    const op = this.operations.get(operationId);
    if (op === undefined || op.subscriptionId !== subscriptionId) return Promise.reject(notFound('getOperation'));
    return Promise.resolve(structuredClone(op));
  }

  getSubscription(subscriptionId: string): Promise<MarketplaceSubscription> {
    this.enter('getSubscription', [subscriptionId]);
    const sub = this.subscriptions.get(subscriptionId);
    return sub === undefined ? Promise.reject(notFound('getSubscription')) : Promise.resolve(structuredClone(sub));
  }

  updateOperation(subscriptionId: string, operationId: string, status: 'Success' | 'Failure'): Promise<void> {
    this.enter('updateOperation', [subscriptionId, operationId, status]);
    const op = this.operations.get(operationId);
    if (op === undefined) return Promise.reject(notFound('updateOperation'));
    if (op.status !== 'InProgress') return Promise.reject(new MarketplaceApiError({ kind: 'http', operation: 'updateOperation', status: 409 }));
    if (status === 'Failure') op.status = 'Failed';
    else if (this.completeOnPatch) this.complete(operationId);
    return Promise.resolve();
  }

  deleteSubscription(subscriptionId: string): Promise<AcceptedOperation> {
    this.enter('deleteSubscription', [subscriptionId]);
    const sub = this.subscriptions.get(subscriptionId);
    if (sub === undefined) return Promise.reject(notFound('deleteSubscription'));
    sub.saasSubscriptionStatus = 'Unsubscribed';
    return Promise.resolve({ operationId: 'delete-op', operationLocation: 'http://127.0.0.1/op' });
  }

  /** Microsoft applies an accepted change and marks it Succeeded. */
  complete(operationId: string): void {
    const op = this.operations.get(operationId);
    const sub = op?.subscriptionId === undefined ? undefined : this.subscriptions.get(op.subscriptionId);
    if (op === undefined || sub === undefined) return;
    op.status = 'Succeeded';
    if (op.action === 'ChangePlan' && op.planId !== undefined) sub.planId = op.planId;
    if (op.action === 'ChangeQuantity' && op.quantity !== undefined) sub.quantity = op.quantity;
    if (op.action === 'Reinstate') sub.saasSubscriptionStatus = 'Subscribed';
  }
}

export function marketplaceSubscription(overrides: Partial<MarketplaceSubscription> = {}): MarketplaceSubscription {
  return buildMarketplaceSubscription({
    id: SUBSCRIPTION_ID,
    offerId: 'contoso-saas',
    name: 'Contoso seats',
    saasSubscriptionStatus: 'Subscribed',
    planId: 'basic',
    quantity: 10,
    term: { termUnit: 'P1M', startDate: '2026-02-01T00:00:00Z', endDate: '2026-02-28T00:00:00Z' },
    ...overrides,
  });
}

export function marketplaceOperation(overrides: Partial<MarketplaceOperation> = {}): MarketplaceOperation {
  return {
    id: OPERATION_ID,
    activityId: OPERATION_ID,
    subscriptionId: SUBSCRIPTION_ID,
    offerId: 'contoso-saas',
    publisherId: 'contoso',
    planId: 'gold',
    action: 'ChangePlan',
    timeStamp: '2026-03-02T11:59:59.000Z',
    status: 'InProgress',
    operationRequestSource: 'Azure',
    ...overrides,
  };
}

/** The ISV: records notifications and decision requests, answers decisions with `decision`. */
export class FakeIsv {
  readonly notified: IsvEvent[] = [];
  readonly provisioned: IsvEvent[] = [];
  readonly asked: ChangeDecisionRequest[] = [];
  decision: (request: ChangeDecisionRequest, signal: AbortSignal) => Promise<ChangeDecision> = () => Promise.resolve({ accept: true });
  notifyFailures = 0;
  provisionFailures = 0;

  provision(event: IsvEvent): Promise<void> {
    return this.receive('provisionFailures', this.provisioned, event);
  }

  notify(event: IsvEvent): Promise<void> {
    return this.receive('notifyFailures', this.notified, event);
  }

  /** Fails while the named counter is above 0 (counting it down), records the event otherwise. */
  private receive(failures: 'notifyFailures' | 'provisionFailures', into: IsvEvent[], event: IsvEvent): Promise<void> {
    if (this[failures] > 0) {
      this[failures] -= 1;
      return Promise.reject(new Error('isv unavailable'));
    }
    into.push(event);
    return Promise.resolve();
  }

  decide(request: ChangeDecisionRequest, options: { signal: AbortSignal }): Promise<ChangeDecision> {
    this.asked.push(request);
    return this.decision(request, options.signal);
  }
}

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** processOperation's dependencies over fakes: in-memory tables with ETags, a recording queue, a fixed clock. */
export function operationsRig(settings: Partial<ProcessOperationSettings> = {}) {
  const stores = createInMemoryTableStores();
  const marketplace = new FakeMarketplace();
  const isv = new FakeIsv();
  const queue = new RecordingQueue<OperationMessage>('operations');
  const clock = fixedClock(NOW);
  const logs: LogLine[] = [];
  const logger = createLogger((level, message, fields) => logs.push({ level, message, fields }), { level: 'debug' });
  const deps: ProcessOperationDeps = {
    ...stores,
    marketplace,
    isv,
    queue,
    clock,
    logger,
    settings: { decisionTimeoutMs: 4_000, ...settings },
  };
  /** The webhook's part: the ledger row the intake would have written. */
  const received = async (action: string, operationId = OPERATION_ID, subscriptionId = SUBSCRIPTION_ID): Promise<OperationMessage> => {
    // As the intake hands it over: the message carries the row's receipt time and ETag.
    const receivedAt = clock.now().toISOString();
    const created = await stores.operations.create({ id: operationId, subscriptionId, action, state: 'Received', receivedAt, updatedAt: receivedAt, attempts: 0 });
    return operationMessage(operationId, subscriptionId, action, { row: { receivedAt, etag: created.etag } });
  };
  /** Both sides know the subscription (as after a landing page activation). */
  const known = async (overrides: Partial<MarketplaceSubscription> = {}): Promise<MarketplaceSubscription> => {
    const sub = marketplaceSubscription(overrides);
    marketplace.subscriptions.set(sub.id, structuredClone(sub));
    await stores.subscriptions.create(recordFromMarketplace(sub, '2026-02-01T00:00:00.000Z'));
    return sub;
  };
  const local = async () => (await stores.subscriptions.get(SUBSCRIPTION_ID))?.value;
  const row = async (operationId = OPERATION_ID) => (await stores.operations.get(operationId))?.value;
  const historyKinds = async () => (await stores.history.list(SUBSCRIPTION_ID, { limit: 100 })).items.map((entry) => entry.kind).sort();
  return { ...stores, marketplace, isv, queue, clock, logs, deps, received, known, local, row, historyKinds };
}
