import { InvocationContext, type HttpResponseInit, type Timer } from '@azure/functions';
import { createCancelSubscriptionHandler } from '../../../functions/cancelSubscription';
import { createChangePlanHandler } from '../../../functions/changePlan';
import { createChangeQuantityHandler } from '../../../functions/changeQuantity';
import { createGetOperationStatusHandler } from '../../../functions/getOperationStatus';
import { createReconcileHandler } from '../../../functions/reconcile';
import { createReconcileSubscriptionsHandler } from '../../../functions/reconcileSubscriptions';
import { createTrackPublisherOperationHandler } from '../../../functions/trackPublisherOperation';
import { ValidationError } from '../../../shared/errors';
import { MarketplaceApiError } from '../../../shared/marketplace';
import { SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';
import { adminRig, httpContext, request } from './adminRig';

type Json = Record<string, unknown> & { error?: { code: string; message: string; details: Record<string, unknown> } };
const body = (response: HttpResponseInit): Json => response.jsonBody as Json;
const header = (response: HttpResponseInit, name: string): string | undefined => (response.headers as Record<string, string> | undefined)?.[name];
const params = { subscriptionId: SUBSCRIPTION_ID };
const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

describe('POST /api/subscriptions/{id}/plan, /quantity and /cancel', () => {
  it('answers 202 with the status URL in Location and Retry-After once Microsoft accepted the plan change', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    const handler = createChangePlanHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', `/api/subscriptions/${SUBSCRIPTION_ID}/plan`, { params, body: { planId: 'business' } }), httpContext('changePlan'));

    // Assess
    expect(response.status).toBe(202);
    const id = String(body(response).id);
    expect(header(response, 'Location')).toBe(`/api/operations/${id}`);
    expect(header(response, 'Retry-After')).toBe('10');
    expect(body(response)).toMatchObject({ state: 'Queued', action: 'ChangePlan', planId: 'business', statusUrl: `/api/operations/${id}` });
  });

  it('answers 400 with the reason, and sends nothing to Microsoft, for seats beyond the plan', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    const handler = createChangeQuantityHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', `/api/subscriptions/${SUBSCRIPTION_ID}/quantity`, { params, body: { quantity: 80 } }), httpContext('changeQuantity'));

    // Assess
    expect(response.status).toBe(400);
    expect(body(response).error?.details.issues).toEqual(['quantity: plan team allows 1–50 seats, not 80']);
    expect(rig.marketplace.callsOf('changeQuantity')).toEqual([]);
  });

  it.each([
    ['a body with both plan and seats', { planId: 'business', quantity: 3 }],
    ['a fractional seat count', { quantity: 2.5 }],
    ['no body', undefined],
  ])('answers 400 for %s', async (_name, input) => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    const handler = createChangeQuantityHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', `/api/subscriptions/${SUBSCRIPTION_ID}/quantity`, { params, body: input }), httpContext('changeQuantity'));

    // Assess
    expect(response.status).toBe(400);
    expect(rig.marketplace.callsOf('changeQuantity')).toEqual([]);
  });

  it('passes Microsoft’s 409 on, with the status URL of the Failed request that explains it', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    rig.marketplace.fail('deleteSubscription', new MarketplaceApiError({ kind: 'http', operation: 'deleteSubscription', status: 409, serviceCode: 'Conflict', serviceMessage: 'another operation is in progress' }));
    const handler = createCancelSubscriptionHandler(() => rig.deps);
    const statusHandler = createGetOperationStatusHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', `/api/subscriptions/${SUBSCRIPTION_ID}/cancel`, { params }), httpContext('cancelSubscription'));
    const location = header(response, 'Location') ?? '';
    const status = await statusHandler(request('GET', location, { params: { operationId: location.split('/').pop() ?? '' } }), httpContext('getOperationStatus'));

    // Assess
    expect(response.status).toBe(409);
    expect(body(response).error).toMatchObject({ code: 'MarketplaceRefused', details: { statusUrl: location, marketplaceStatus: 409 } });
    expect(status.status).toBe(200);
    expect(body(status)).toMatchObject({ state: 'Failed', done: true, error: { code: 'MarketplaceRefused', message: expect.stringContaining('HTTP 409 (Conflict: another operation is in progress)') } });
  });

  it('answers 502 when Microsoft gave no usable answer', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    rig.marketplace.fail('changePlan', new MarketplaceApiError({ kind: 'network', operation: 'changePlan' }));
    const handler = createChangePlanHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', `/api/subscriptions/${SUBSCRIPTION_ID}/plan`, { params, body: { planId: 'business' } }), httpContext('changePlan'));

    // Assess
    expect(response.status).toBe(502);
    expect(body(response).error?.code).toBe('MarketplaceUnavailable');
  });
});

describe('GET /api/operations/{id}', () => {
  it('asks the caller to come back later while the request is not final', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    const accepted = await createChangePlanHandler(() => rig.deps)(request('POST', '/', { params, body: { planId: 'business' } }), httpContext('changePlan'));
    const handler = createGetOperationStatusHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', '/', { params: { operationId: String(body(accepted).id) } }), httpContext('getOperationStatus'));

    // Assess
    expect(response.status).toBe(200);
    expect(header(response, 'Retry-After')).toBe('5');
  });

  it('answers 404 for an unknown request', async () => {
    // Prepare
    const rig = adminRig();
    const handler = createGetOperationStatusHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', '/', { params: { operationId: 'nope' } }), httpContext('getOperationStatus'));

    // Assess
    expect(response.status).toBe(404);
  });
});

describe('trackPublisherOperation function', () => {
  it('polls the operation named by the message and applies its success', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    await createChangePlanHandler(() => rig.deps)(request('POST', '/', { params, body: { planId: 'business' } }), httpContext('changePlan'));
    const message = rig.trackingQueue.sent.shift()?.message;
    rig.marketplace.finish(message?.operationId ?? '', 'Succeeded');
    const handler = createTrackPublisherOperationHandler(() => rig.deps);

    // Act
    await handler(message, new InvocationContext({ invocationId: 'inv-2', functionName: 'trackPublisherOperation', triggerMetadata: { id: 'msg-1' } }));

    // Assess
    expect((await rig.local())?.planId).toBe('business');
  });

  it('throws a ValidationError for a message that is not a tracking message, so it ends in the poison queue', async () => {
    // Prepare
    const rig = adminRig();
    const handler = createTrackPublisherOperationHandler(() => rig.deps);

    // Act
    const error = await handler({ hello: 'world' }, new InvocationContext({ functionName: 'trackPublisherOperation' })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('reconciliation functions', () => {
  it('POST /api/reconcile runs a reconciliation and answers its report', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.quantity = 30;
    const handler = createReconcileHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', '/api/reconcile'), httpContext('reconcile'));

    // Assess
    expect(response.status).toBe(200);
    expect(body(response)).toMatchObject({ seen: 1, repaired: 1, drift: { quantity: 1 } });
    expect((await rig.local())?.quantity).toBe(30);
    expect(await rig.runs.latest('reconciliation')).toMatchObject({
      runId: (body(response) as { runId: string }).runId,
      outcome: 'succeeded',
      counts: { seen: 1, unchanged: 0, repaired: 1, imported: 0, failed: 0, operationsRecovered: 0 },
    });
  });

  it('POST /api/reconcile answers 503 when Microsoft cannot be listed', async () => {
    // Prepare
    const rig = adminRig();
    rig.marketplace.fail('listSubscriptions', new MarketplaceApiError({ kind: 'http', operation: 'listSubscriptions', status: 500 }));
    const handler = createReconcileHandler(() => rig.deps);

    // Act
    const response = await handler(request('POST', '/api/reconcile'), httpContext('reconcile'));

    // Assess
    expect(response.status).toBe(503);
    expect(await rig.runs.latest('reconciliation')).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^DependencyUnavailableError: /) as unknown });
  });

  it.each([
    ['runs at a reconciliation hour', '2026-03-02T12:20:00.000Z', 1],
    ['skips other hours', '2026-03-02T13:20:00.000Z', 0],
  ])('the timer %s (every 6 hours here)', async (_name, at, pages) => {
    // Prepare
    const rig = adminRig();
    rig.clock.set(at);
    const handler = createReconcileSubscriptionsHandler(() => rig.deps);

    // Act
    await handler(TIMER, new InvocationContext({ functionName: 'reconcileSubscriptions' }));

    // Assess
    expect(rig.marketplace.pagesRead).toBe(pages);
    expect(rig.runs.saved.map((run) => run.outcome)).toEqual(pages === 1 ? ['running', 'succeeded'] : []);
  });
});
