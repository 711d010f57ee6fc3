import { HttpRequest, InvocationContext } from '@azure/functions';
import type { AdminDependencies } from '../../../shared/admin';
import { noopIsvHooks } from '../../../shared/isv/hooks';
import type { MarketplaceApi } from '../../../shared/marketplace';
import { InMemoryJobRunStore } from '../../fakes/inMemoryJobRunStore';
import { fulfillmentRig } from '../publisherOperations/fakeFulfillment';

/** The admin functions' dependencies over the fulfillment rig's fakes. */
export function adminRig() {
  const rig = fulfillmentRig();
  const runs = new InMemoryJobRunStore();
  const deps: AdminDependencies = {
    subscriptions: rig.subscriptions,
    history: rig.history,
    operations: rig.operations,
    plans: rig.plans,
    marketplace: rig.marketplace as unknown as MarketplaceApi,
    isv: { ...noopIsvHooks, notify: (event) => rig.isv.notify(event) },
    runs,
    clock: rig.clock,
    trackingQueue: rig.trackingQueue,
    operationsQueue: rig.operationsQueue,
    newId: rig.newId,
    config: { publisherOperations: { pollMaxDelaySeconds: 60, timeoutMs: 3_600_000 }, reconciliation: { everyHours: 6, concurrency: 4, checkOperations: true } },
    logger: () => rig.logger,
  };
  return { ...rig, runs, deps };
}

export function httpContext(functionName: string): InvocationContext {
  return new InvocationContext({ invocationId: 'inv-1', functionName });
}

export function request(method: string, path: string, init: { body?: unknown; params?: Record<string, string>; rawBody?: string } = {}): HttpRequest {
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return new HttpRequest({
    method,
    url: `http://127.0.0.1:7071${path}`,
    params: init.params ?? {},
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: { string: body } }),
  });
}
