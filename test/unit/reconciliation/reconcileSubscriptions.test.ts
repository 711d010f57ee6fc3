import { DependencyUnavailableError } from '../../../shared/errors';
import { MarketplaceApiError, type MarketplaceSubscription } from '../../../shared/marketplace';
import { acquireSubscriptionLease } from '../../../shared/operations/subscriptionLease';
import { reconcileSubscription, reconcileSubscriptions } from '../../../shared/reconciliation';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { fulfillmentRig, marketplaceSubscription, NOW, SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';

type Rig = ReturnType<typeof fulfillmentRig>;
const OTHER_ID = '5a8b2a8e-9d7c-4a3e-8f2b-0c1d2e3f4a5b';

/** Microsoft's side says `truth`; ours says the same with `local` applied. */
async function seed(rig: Rig, truth: Partial<MarketplaceSubscription>, local: Partial<MarketplaceSubscription> = {}, id = SUBSCRIPTION_ID): Promise<void> {
  rig.marketplace.subscriptions.set(id, marketplaceSubscription({ id, ...truth }));
  await rig.subscriptions.create(recordFromMarketplace(marketplaceSubscription({ id, ...truth, ...local }), '2026-02-01T00:00:00.000Z'));
}

const kinds = async (rig: Rig, id = SUBSCRIPTION_ID) => (await rig.historyOf(id)).map((entry) => entry.kind).sort();

describe('reconcileSubscriptions', () => {
  it('writes nothing when Table Storage agrees with the marketplace', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {});
    await seed(rig, { planId: 'business' }, {}, OTHER_ID);
    const before = await rig.subscriptions.get(SUBSCRIPTION_ID);

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ seen: 2, unchanged: 2, repaired: 0, imported: 0, failed: 0, tableWrites: { subscriptions: 0, history: 0, operations: 0 } });
    expect((await rig.subscriptions.get(SUBSCRIPTION_ID))?.etag).toBe(before?.etag);
  });

  it('counts and logs a listed item that does not parse, and still reconciles the rest of the page', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { saasSubscriptionStatus: 'Suspended' }, { saasSubscriptionStatus: 'Subscribed' });
    rig.marketplace.unparseable.push({ index: 1, id: OTHER_ID, problems: 'planId: invalid_type' });

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ seen: 1, repaired: 1, failed: 0, unparseable: 1 });
    expect(report.failures).toEqual([{ subscriptionId: OTHER_ID, error: 'unparseable: planId: invalid_type' }]);
    expect(rig.logs).toContainEqual({ level: 'warn', message: 'listed subscription skipped: it does not parse', fields: expect.objectContaining({ subscriptionId: OTHER_ID, problems: 'planId: invalid_type' }) });
  });

  it('repairs a status drift through the state machine: record, history and the ISV all hear of it', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { saasSubscriptionStatus: 'Suspended' }, { saasSubscriptionStatus: 'Subscribed' });

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect((await rig.local())?.status).toBe('Suspended');
    expect(report).toMatchObject({ repaired: 1, drift: { status: 1 }, tableWrites: { subscriptions: 2, operations: 0 } });
    expect(await kinds(rig)).toEqual(['Drift', 'StatusChanged']);
    expect(rig.isv.events.map((event) => event.type)).toEqual(['saas.subscription.suspended']);
  });

  it.each([
    ['plan', { planId: 'business' }, { planId: 'team' }, 'planId', 'PlanChanged'],
    ['seats', { quantity: 12 }, { quantity: 5 }, 'quantity', 'QuantityChanged'],
    ['renewed term', { term: { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' } }, { term: marketplaceSubscription().term }, 'term', 'TermRenewed'],
  ])('repairs a %s drift with one write and a history row saying what drifted', async (_name, truth, local, field, kind) => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, truth, local);

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ repaired: 1, drift: { [field]: 1 }, tableWrites: { subscriptions: 2, operations: 0 } });
    const wanted = recordFromMarketplace(rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!, NOW) as unknown as Record<string, unknown>;
    expect((await rig.local()) as unknown as Record<string, unknown>).toMatchObject({ [field]: wanted[field] });
    const drift = (await rig.historyOf()).find((entry) => entry.kind === 'Drift');
    expect(drift).toMatchObject({ at: NOW, detail: `reconciliation found ${field} different from the marketplace and repaired it` });
    expect(Object.keys(drift?.from as object)).toEqual([field]);
    expect(await kinds(rig)).toEqual(['Drift', kind]);
  });

  it('keeps the seats when Microsoft omits the quantity for the plan they belong to, and clears them with a new plan (#13 item 6 finding)', async () => {
    // Prepare: the same plan without a quantity (an incomplete reading), and a move to another plan without one (flat rate)
    const rig = fulfillmentRig();
    await seed(rig, { quantity: undefined }, { quantity: 7 });
    await seed(rig, { planId: 'flat', quantity: undefined }, { planId: 'seats', quantity: 7 }, OTHER_ID);

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);
    const again = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(await rig.local()).toMatchObject({ quantity: 7 });
    expect((await rig.subscriptions.get(OTHER_ID))?.value).toMatchObject({ planId: 'flat' });
    expect((await rig.subscriptions.get(OTHER_ID))?.value.quantity).toBeUndefined();
    expect(report).toMatchObject({ seen: 2, unchanged: 1, repaired: 1, drift: { planId: 1, quantity: 1 } });
    expect(again).toMatchObject({ unchanged: 2, repaired: 0 });
    expect(await kinds(rig)).toEqual([]);
  });

  it('repairs auto-renew and other descriptive fields with one conditional write and no ISV event', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { autoRenew: false, name: 'Renamed' }, { autoRenew: true, name: 'Contoso seats' });

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(await rig.local()).toMatchObject({ autoRenew: false, name: 'Renamed', updatedAt: NOW });
    expect(report).toMatchObject({ repaired: 1, drift: { autoRenew: 1, name: 1 }, tableWrites: { subscriptions: 2, history: 1, operations: 0 } });
    expect((await rig.historyOf())[0]).toMatchObject({ kind: 'Drift', from: { name: 'Contoso seats', autoRenew: true }, to: { name: 'Renamed', autoRenew: false } });
    expect(rig.isv.events).toEqual([]);
  });

  it('fills in a term that never had dates locally without telling the ISV of a renewal', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {}, { term: { termUnit: 'P1M' } });

    // Act
    await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect((await rig.local())?.term).toEqual({ termUnit: 'P1M', startDate: '2026-02-01T00:00:00Z', endDate: '2026-02-28T00:00:00Z' });
    expect(rig.isv.events).toEqual([]);
    expect(await kinds(rig)).toEqual(['Drift']);
  });

  it('repairs what the state machine would refuse (a plan drift while Suspended) without an EventRefused row', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { saasSubscriptionStatus: 'Suspended', planId: 'business' }, { planId: 'team' });

    // Act
    await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(await rig.local()).toMatchObject({ status: 'Suspended', planId: 'business' });
    expect(await kinds(rig)).toEqual(['Drift']);
  });

  it('repairs from a fresh Get Subscription, never from a listed page that is older than the record (#13 item 7)', async () => {
    // Prepare: the page says 20 seats; by the time it is compared Microsoft says 3 and so does the record.
    const rig = fulfillmentRig();
    await seed(rig, { quantity: 3 });
    const stalePage = marketplaceSubscription({ quantity: 20 });
    const before = await rig.subscriptions.get(SUBSCRIPTION_ID);

    // Act
    const result = await reconcileSubscription({ ...rig.reconcileDeps, logger: rig.logger }, stalePage, { runId: 'run-1', at: NOW });

    // Assess
    expect(result).toEqual({ outcome: 'unchanged' });
    expect((await rig.subscriptions.get(SUBSCRIPTION_ID))?.value).toEqual(before?.value);
    expect(rig.marketplace.callsOf('getSubscription')).toEqual([[SUBSCRIPTION_ID]]);
    expect(await kinds(rig)).toEqual([]);
  });

  it('defers a drifted subscription another worker holds, and counts it', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { quantity: 3 }, { quantity: 20 });
    await acquireSubscriptionLease(rig.subscriptions, SUBSCRIPTION_ID, rig.clock.now(), 120_000);

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ seen: 1, deferred: 1, repaired: 0, failed: 0 });
    expect((await rig.local())?.quantity).toBe(20);
  });

  it('imports a subscription missing locally, with a history row', async () => {
    // Prepare
    const rig = fulfillmentRig();
    rig.marketplace.subscriptions.set(SUBSCRIPTION_ID, marketplaceSubscription());

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(await rig.local()).toEqual(recordFromMarketplace(marketplaceSubscription(), NOW));
    expect(report).toMatchObject({ imported: 1, tableWrites: { subscriptions: 1 } });
    expect(await kinds(rig)).toEqual(['ImportedFromMarketplace']);
  });

  it('repairs nothing on a second run', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { saasSubscriptionStatus: 'Suspended', quantity: 20 }, { saasSubscriptionStatus: 'Subscribed', quantity: 10 });
    rig.marketplace.subscriptions.set(OTHER_ID, marketplaceSubscription({ id: OTHER_ID }));
    await reconcileSubscriptions(rig.reconcileDeps);

    // Act
    const second = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(second).toMatchObject({ seen: 2, unchanged: 2, tableWrites: { subscriptions: 0, history: 0, operations: 0 } });
  });

  it('hands an InProgress operation the webhook never delivered to operation processing, and counts and records it once', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {});
    const operationId = '7f0c3c2e-8a51-4d8b-9d0e-2f1a3b4c5d6e';
    rig.marketplace.operations.set(operationId, { id: operationId, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', planId: 'business', status: 'InProgress', operationRequestSource: 'Azure' });

    // Act
    const first = await reconcileSubscriptions(rig.reconcileDeps);
    const second = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(first.operationsRecovered).toBe(1);
    expect(second.operationsRecovered).toBe(0);
    // No worker claimed it between the runs, so the second run queued it again (processing is idempotent).
    // The first hand-over carries the new row's version; the repeat does not (the worker reads the row first).
    const message = { v: 1, operationId, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan' };
    const row = await rig.operations.get(operationId);
    expect(rig.operationsQueue.messages()).toEqual([{ ...message, receivedAt: row?.value.receivedAt, etag: row?.etag }, message]);
    expect((await rig.operations.get(operationId))?.value).toMatchObject({ state: 'Received', source: 'Azure', action: 'ChangePlan', planId: 'business', marketplaceStatus: 'InProgress' });
    expect(await kinds(rig)).toEqual(['OperationRecovered']);
  });

  it('counts every recovered operation when subscriptions are reconciled in parallel', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const ids = ['a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 'a3000000-0000-4000-8000-000000000003'];
    for (const [i, id] of ids.entries()) {
      await seed(rig, {}, {}, id);
      const operationId = `b${i}000000-0000-4000-8000-00000000000${i}`;
      rig.marketplace.operations.set(operationId, { id: operationId, subscriptionId: id, action: 'ChangeQuantity', quantity: 20, status: 'InProgress' });
    }

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report.operationsRecovered).toBe(3);
    expect(report.catalog.plansSaved).toBe(3);
    expect(rig.operationsQueue.sent).toHaveLength(3);
  });

  it('leaves an operation the webhook already delivered to the webhook path', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {});
    const operationId = '7f0c3c2e-8a51-4d8b-9d0e-2f1a3b4c5d6e';
    rig.marketplace.operations.set(operationId, { id: operationId, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', status: 'InProgress' });
    await rig.operations.create({ id: operationId, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', state: 'Processing', receivedAt: NOW, updatedAt: NOW, attempts: 1 });

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report.operationsRecovered).toBe(0);
    expect(rig.operationsQueue.sent).toEqual([]);
  });

  it('lists outstanding operations of Subscribed and Suspended subscriptions only, and not at all when switched off', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {});
    await seed(rig, { saasSubscriptionStatus: 'Unsubscribed' }, {}, OTHER_ID);

    // Act
    const checked = await reconcileSubscriptions(rig.reconcileDeps);
    const calls = rig.marketplace.callsOf('listOutstandingOperations');
    await reconcileSubscriptions({ ...rig.reconcileDeps, settings: { concurrency: 4, checkOperations: false } });

    // Assess
    expect(checked.operationsChecked).toBe(1);
    expect(calls).toEqual([[SUBSCRIPTION_ID]]);
    expect(rig.marketplace.callsOf('listOutstandingOperations')).toHaveLength(1);
  });

  it('counts a subscription that fails and goes on with the others', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { quantity: 12 }, { quantity: 5 });
    await seed(rig, { quantity: 30 }, { quantity: 5 }, OTHER_ID);
    rig.marketplace.fail('listOutstandingOperations', new MarketplaceApiError({ kind: 'http', operation: 'listOutstandingOperations', status: 500 }));

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ seen: 2, repaired: 2, failed: 1, failures: [{ subscriptionId: SUBSCRIPTION_ID, error: expect.stringContaining('HTTP 500') }] });
    expect((await rig.local(OTHER_ID))?.quantity).toBe(30);
  });

  it('stops with DependencyUnavailable when Microsoft cannot list the subscriptions', async () => {
    // Prepare
    const rig = fulfillmentRig();
    rig.marketplace.fail('listSubscriptions', new MarketplaceApiError({ kind: 'timeout', operation: 'listSubscriptions' }));

    // Act
    const error = await reconcileSubscriptions(rig.reconcileDeps).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(DependencyUnavailableError);
  });

  it('refreshes the plan catalog once per offer and plan in use, through a Subscribed subscription on it', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, {});
    await seed(rig, {}, {}, OTHER_ID);
    await seed(rig, { planId: 'business', saasSubscriptionStatus: 'Unsubscribed' }, {}, '6a8b2a8e-9d7c-4a3e-8f2b-0c1d2e3f4a5b');

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report.catalog).toEqual({ asked: 1, plansSaved: 3, failed: 0 });
    expect(rig.marketplace.callsOf('listAvailablePlans')).toHaveLength(1);
    expect((await rig.plans.listByOffer('contoso-seats')).items.map((plan) => plan.planId)).toEqual(['business', 'enterprise', 'team']);
  });

  it('goes on when the plan catalog cannot be refreshed', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await seed(rig, { quantity: 20 }, { quantity: 10 });
    rig.marketplace.fail('listAvailablePlans', new MarketplaceApiError({ kind: 'timeout', operation: 'listAvailablePlans' }));

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ repaired: 1, failed: 0, catalog: { asked: 1, plansSaved: 0, failed: 1 } });
  });

  it('reads the marketplace a page at a time, as the subscriptions are reconciled', async () => {
    // Prepare
    const rig = fulfillmentRig();
    rig.marketplace.pageSize = 10;
    for (let i = 0; i < 45; i += 1) rig.marketplace.subscriptions.set(`sub-${String(i).padStart(3, '0')}`, marketplaceSubscription({ id: `sub-${String(i).padStart(3, '0')}` }));
    const pagesWhenReconciled: number[] = [];
    const get = rig.subscriptions.get.bind(rig.subscriptions);
    rig.subscriptions.get = (id: string) => {
      pagesWhenReconciled.push(rig.marketplace.pagesRead);
      return get(id);
    };

    // Act
    const report = await reconcileSubscriptions(rig.reconcileDeps);

    // Assess
    expect(report).toMatchObject({ seen: 45, imported: 45 });
    expect(pagesWhenReconciled[0]).toBe(1);
    expect(pagesWhenReconciled.at(-1)).toBe(5);
  });
});
