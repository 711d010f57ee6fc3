import type { CatalogPlan } from '../../../shared/catalog';
import { fixedClock } from '../../../shared/clock';
import type { IsvEvent, LifecycleNotifier } from '../../../shared/isv/hooks';
import { createLogger, type LogFields, type LogLevel } from '../../../shared/logging';
import { MarketplaceApiError, type AcceptedOperation, type MarketplaceApi, type MarketplaceOperation, type ListSubscriptionsOptions, type MarketplaceSubscription, type Plan, type UnparseableItem } from '../../../shared/marketplace';
import type { OperationMessage } from '../../../shared/operations/operationMessage';
import type { TrackingMessage } from '../../../shared/publisherOperations';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { InMemoryPlanCatalog } from '../../fakes/inMemoryPlanCatalog';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { buildMarketplaceSubscription } from '../../fixtures/buildMarketplaceSubscription';

export const NOW = '2026-03-02T12:00:00.000Z';
export const SUBSCRIPTION_ID = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';
export const API = 'http://127.0.0.1:7072/api';

type Method =
  | 'listSubscriptions'
  | 'getSubscription'
  | 'listAvailablePlans'
  | 'changePlan'
  | 'changeQuantity'
  | 'deleteSubscription'
  | 'listOutstandingOperations'
  | 'getOperationByLocation';

export type FulfillmentPort = Pick<MarketplaceApi, Method>;

const notFound = (operation: string): MarketplaceApiError => new MarketplaceApiError({ kind: 'http', operation, status: 404 });

/**
 * Microsoft's fulfillment and operations APIs in memory: subscriptions listed in pages (read lazily,
 * as the real client does), plans per offer, publisher PATCH/DELETE creating NotStarted operations
 * behind an `Operation-Location`, outstanding operations. `fail` makes the next call of a method
 * throw; every call is recorded.
 */
export class FakeFulfillment implements FulfillmentPort {
  readonly subscriptions = new Map<string, MarketplaceSubscription>();
  readonly operations = new Map<string, MarketplaceOperation>();
  readonly plansByOffer = new Map<string, Plan[]>();
  /** Listed items that do not parse: reported to `onUnparseable` as the real client does. */
  readonly unparseable: UnparseableItem[] = [];
  readonly calls: Array<{ method: Method; args: unknown[] }> = [];
  private readonly failures = new Map<Method, Error[]>();
  pageSize = 100;
  pagesRead = 0;
  private operationCount = 0;

  fail(method: Method, error: Error): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  callsOf(method: Method): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  private enter(method: Method, args: unknown[]): void {
    this.calls.push({ method, args });
    const error = this.failures.get(method)?.shift();
    if (error !== undefined) throw error;
  }

  async *listSubscriptions(options: ListSubscriptionsOptions = {}): AsyncGenerator<MarketplaceSubscription> {
    for (const item of this.unparseable) options.onUnparseable?.(item);
    const all = [...this.subscriptions.values()];
    for (let start = 0; start === 0 || start < all.length; start += this.pageSize) {
      this.enter('listSubscriptions', [start]);
      this.pagesRead += 1;
      await Promise.resolve();
      for (const sub of all.slice(start, start + this.pageSize)) yield structuredClone(sub);
    }
  }

  getSubscription(subscriptionId: string): Promise<MarketplaceSubscription> {
    this.enter('getSubscription', [subscriptionId]);
    const sub = this.subscriptions.get(subscriptionId);
    return sub === undefined ? Promise.reject(notFound('getSubscription')) : Promise.resolve(structuredClone(sub));
  }

  listAvailablePlans(subscriptionId: string): Promise<Plan[]> {
    this.enter('listAvailablePlans', [subscriptionId]);
    const sub = this.subscriptions.get(subscriptionId);
    return Promise.resolve(sub === undefined ? [] : structuredClone(this.plansByOffer.get(sub.offerId) ?? []));
  }

  private accept(subscriptionId: string, operation: string, init: Partial<MarketplaceOperation>): Promise<AcceptedOperation> {
    const sub = this.subscriptions.get(subscriptionId);
    if (sub === undefined) return Promise.reject(notFound(operation));
    this.operationCount += 1;
    const id = `0000000${this.operationCount}-0000-4000-8000-00000000000${this.operationCount}`.slice(-36);
    this.operations.set(id, { id, subscriptionId, offerId: sub.offerId, status: 'NotStarted', operationRequestSource: 'Partner', ...init });
    return Promise.resolve({ operationId: id, operationLocation: this.locationOf(subscriptionId, id), retryAfterSeconds: 10 });
  }

  locationOf(subscriptionId: string, operationId: string): string {
    return `${API}/saas/subscriptions/${subscriptionId}/operations/${operationId}?api-version=2018-08-31`;
  }

  changePlan(subscriptionId: string, planId: string): Promise<AcceptedOperation> {
    this.enter('changePlan', [subscriptionId, planId]);
    return this.accept(subscriptionId, 'changePlan', { action: 'ChangePlan', planId });
  }

  changeQuantity(subscriptionId: string, quantity: number): Promise<AcceptedOperation> {
    this.enter('changeQuantity', [subscriptionId, quantity]);
    return this.accept(subscriptionId, 'changeQuantity', { action: 'ChangeQuantity', quantity });
  }

  deleteSubscription(subscriptionId: string): Promise<AcceptedOperation> {
    this.enter('deleteSubscription', [subscriptionId]);
    return this.accept(subscriptionId, 'deleteSubscription', { action: 'Unsubscribe' });
  }

  listOutstandingOperations(subscriptionId: string): Promise<MarketplaceOperation[]> {
    this.enter('listOutstandingOperations', [subscriptionId]);
    return Promise.resolve([...this.operations.values()].filter((op) => op.subscriptionId === subscriptionId && op.status === 'InProgress').map((op) => structuredClone(op)));
  }

  getOperationByLocation(location: string): Promise<MarketplaceOperation> {
    this.enter('getOperationByLocation', [location]);
    const id = /\/operations\/([^/?]+)/.exec(location)?.[1] ?? '';
    const op = this.operations.get(id);
    return op === undefined ? Promise.reject(notFound('getOperationByLocation')) : Promise.resolve(structuredClone(op));
  }

  /** Microsoft finishes an operation; Succeeded applies it to the subscription. */
  finish(operationId: string, status: 'Succeeded' | 'Failed' | 'Conflict' | 'InProgress', errorMessage?: string): void {
    const op = this.operations.get(operationId);
    if (op === undefined) throw new Error(`no operation ${operationId}`);
    op.status = status;
    if (errorMessage !== undefined) op.errorMessage = errorMessage;
    const sub = this.subscriptions.get(op.subscriptionId ?? '');
    if (status !== 'Succeeded' || sub === undefined) return;
    if (op.action === 'ChangePlan' && op.planId !== undefined) sub.planId = op.planId;
    if (op.action === 'ChangeQuantity' && op.quantity !== undefined) sub.quantity = op.quantity;
    if (op.action === 'Unsubscribe') sub.saasSubscriptionStatus = 'Unsubscribed';
  }
}

export function marketplaceSubscription(overrides: Partial<MarketplaceSubscription> = {}): MarketplaceSubscription {
  return buildMarketplaceSubscription({
    id: SUBSCRIPTION_ID,
    name: 'Contoso seats',
    saasSubscriptionStatus: 'Subscribed',
    quantity: 10,
    term: { termUnit: 'P1M', startDate: '2026-02-01T00:00:00Z', endDate: '2026-02-28T00:00:00Z' },
    ...overrides,
  });
}

export const SEAT_PLANS: Plan[] = [
  { planId: 'team', displayName: 'Team', isPricePerSeat: true, minQuantity: 1, maxQuantity: 50 },
  { planId: 'business', displayName: 'Business', isPricePerSeat: true, minQuantity: 5, maxQuantity: 500 },
  { planId: 'enterprise', displayName: 'Enterprise', isPricePerSeat: true, minQuantity: 100, maxQuantity: 5000 },
];

/** A catalog plan as learnPlans stores it, for validation tests. */
export function catalogPlan(plan: Plan, offerId = 'contoso-seats'): CatalogPlan {
  return {
    offerId,
    planId: plan.planId,
    isPrivate: plan.isPrivate ?? false,
    isStopSell: false,
    hasFreeTrials: false,
    isPricePerSeat: plan.isPricePerSeat ?? false,
    ...(plan.minQuantity === undefined ? {} : { minQuantity: plan.minQuantity }),
    ...(plan.maxQuantity === undefined ? {} : { maxQuantity: plan.maxQuantity }),
    meteringDimensions: [],
    billingTerms: [],
    learnedAt: NOW,
    learnedFromSubscriptionId: SUBSCRIPTION_ID,
  };
}

/** The ISV: records what it was told. */
export class RecordingIsv implements LifecycleNotifier {
  readonly events: IsvEvent[] = [];

  notify(event: IsvEvent): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** Fakes for everything the admin, tracking and reconciliation use cases touch, with a fixed clock. */
export function fulfillmentRig() {
  const stores = createInMemoryTableStores();
  const marketplace = new FakeFulfillment();
  marketplace.plansByOffer.set('contoso-seats', structuredClone(SEAT_PLANS));
  const plans = new InMemoryPlanCatalog();
  const isv = new RecordingIsv();
  const trackingQueue = new RecordingQueue<TrackingMessage>('publisher-operations');
  const operationsQueue = new RecordingQueue<OperationMessage>('operations');
  const clock = fixedClock(NOW);
  const logs: LogLine[] = [];
  const logger = createLogger((level, message, fields) => logs.push({ level, message, fields }), { level: 'debug' });
  let ids = 0;
  const newId = (): string => {
    ids += 1;
    return `9d1c3c2e-8a51-4d8b-9d0e-${String(ids).padStart(12, '0')}`;
  };
  /** Both sides know the subscription (as after a landing page activation). */
  const known = async (overrides: Partial<MarketplaceSubscription> = {}): Promise<MarketplaceSubscription> => {
    const sub = marketplaceSubscription(overrides);
    marketplace.subscriptions.set(sub.id, structuredClone(sub));
    await stores.subscriptions.create(recordFromMarketplace(sub, '2026-02-01T00:00:00.000Z'));
    return sub;
  };
  const local = async (id = SUBSCRIPTION_ID) => (await stores.subscriptions.get(id))?.value;
  const historyOf = async (id = SUBSCRIPTION_ID) => (await stores.history.list(id, { limit: 100 })).items;
  const settings = { pollMaxDelaySeconds: 60, timeoutMs: 3_600_000 };
  const changeDeps = { ...stores, plans, marketplace, queue: trackingQueue, clock, logger, newId, settings };
  const trackDeps = { ...stores, isv, marketplace, queue: trackingQueue, clock, logger, settings };
  const reconcileDeps = { ...stores, plans, isv, marketplace, operationsQueue, clock, logger, newId, settings: { concurrency: 4, checkOperations: true } };
  return { ...stores, marketplace, plans, isv, trackingQueue, operationsQueue, clock, logs, logger, newId, known, local, historyOf, changeDeps, trackDeps, reconcileDeps };
}
