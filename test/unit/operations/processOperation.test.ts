import { MarketplaceApiError } from '../../../shared/marketplace';
import { processOperation } from '../../../shared/operations/processOperation';
import { operationMessage } from '../../../shared/operations/operationMessage';
import { marketplaceOperation, marketplaceSubscription, NOW, OPERATION_ID, operationsRig, SUBSCRIPTION_ID } from './operationsRig';

const FIRST = { dequeueCount: 1 };
const isvTypes = (rig: ReturnType<typeof operationsRig>): string[] => rig.isv.notified.map((event) => event.type);

describe('processOperation', () => {
  describe('ChangePlan and ChangeQuantity', () => {
    it('asks the ISV, PATCHes Success while InProgress, and changes the plan once the operation reads Succeeded', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ planId: 'basic' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'ChangePlan', planId: 'gold' }));
      const message = await rig.received('ChangePlan');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result).toEqual(expect.objectContaining({ outcome: 'completed', marketplaceStatus: 'Succeeded' }));
      expect(rig.isv.asked).toEqual([expect.objectContaining({ action: 'ChangePlan', operationId: OPERATION_ID, planId: 'gold' })]);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
      expect((await rig.local())?.planId).toBe('gold');
      expect(isvTypes(rig)).toEqual(['saas.subscription.plan_changed']);
      expect(rig.isv.notified[0]?.id).toBe(`${SUBSCRIPTION_ID}:${OPERATION_ID}`);
      expect(await rig.historyKinds()).toEqual(['ChangeAccepted', 'PlanChanged']);
      expect((await rig.row())?.state).toBe('Completed');
    });

    it('writes history in the order it happened: the decision, then the plan change (#14 item 6)', async () => {
      // Prepare: every Marketplace call takes 5 ms and the ISV takes 1.5 s to decide.
      const rig = operationsRig();
      await rig.known({ planId: 'basic' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'ChangePlan', planId: 'gold' }));
      const getOperation = rig.marketplace.getOperation.bind(rig.marketplace);
      rig.marketplace.getOperation = (...args) => {
        rig.clock.advance(5);
        return getOperation(...args);
      };
      rig.isv.decision = () => {
        rig.clock.advance(1_500);
        return Promise.resolve({ accept: true });
      };
      const message = await rig.received('ChangePlan');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess: newest first, as the history API lists it.
      const entries = (await rig.history.list(SUBSCRIPTION_ID, { limit: 10 })).items;
      expect(entries.map((entry) => entry.kind)).toEqual(['PlanChanged', 'ChangeAccepted']);
      expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(Date.parse(entries[1]!.at));
    });

    it('PATCHes Failure when the ISV refuses, and leaves the seats as they were', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ quantity: 10 });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'ChangeQuantity', planId: 'basic', quantity: 500 }));
      rig.isv.decision = () => Promise.resolve({ accept: false, reason: 'over the licence limit' });
      const message = await rig.received('ChangeQuantity');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result).toEqual(expect.objectContaining({ outcome: 'completed', marketplaceStatus: 'Failed' }));
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Failure']]);
      expect((await rig.local())?.quantity).toBe(10);
      expect(rig.isv.notified).toEqual([]);
      expect(await rig.historyKinds()).toEqual(['ChangeRefused']);
    });

    it('accepts the change when the ISV does not answer inside the window', async () => {
      // Prepare
      const rig = operationsRig({ decisionTimeoutMs: 50 });
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      rig.isv.decision = () => new Promise(() => undefined);
      const message = await rig.received('ChangePlan');

      // Act
      const started = Date.now();
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
      expect((await rig.local())?.planId).toBe('gold');
    });

    it('passes the ISV an abort signal that fires at the deadline', async () => {
      // Prepare
      const rig = operationsRig({ decisionTimeoutMs: 30 });
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      let aborted = false;
      rig.isv.decision = (_request, signal) =>
        new Promise((resolve) => signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ accept: false });
        }));
      const message = await rig.received('ChangePlan');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(aborted).toBe(true);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
    });

    it('accepts publisher-initiated (Partner) changes without asking the ISV', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ operationRequestSource: 'Partner' }));
      const message = await rig.received('ChangePlan');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(rig.isv.asked).toEqual([]);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
    });

    it('does not PATCH an operation that is already final and applies what the marketplace says', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ planId: 'gold' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ status: 'Succeeded' }));
      const message = await rig.received('ChangePlan');
      await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, planId: 'basic' }));

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(rig.isv.asked).toEqual([]);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([]);
      expect((await rig.local())?.planId).toBe('gold');
    });

    it('applies nothing while the operation is still InProgress after the PATCH, and comes back later', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ planId: 'basic' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      rig.marketplace.completeOnPatch = false;
      const message = await rig.received('ChangePlan');

      // Act
      const first = await processOperation(rig.deps, message, FIRST);
      rig.marketplace.complete(OPERATION_ID);
      const [again] = rig.queue.messages();
      const second = await processOperation(rig.deps, again!, FIRST);

      // Assess
      expect(first.outcome).toBe('waiting');
      expect(rig.queue.sent[0]?.options).toEqual({ visibilityDelaySeconds: 1 });
      expect(again).toEqual(expect.objectContaining({ operationId: OPERATION_ID, check: 1 }));
      expect(second.outcome).toBe('completed');
      expect((await rig.local())?.planId).toBe('gold');
      expect(rig.marketplace.callsOf('updateOperation')).toHaveLength(1);
    });

    it('gives up, without applying, on an operation still not final long after receipt', async () => {
      // Prepare
      const rig = operationsRig({ maxWaitMs: 60_000 });
      await rig.known({ planId: 'basic' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ status: 'NotStarted' }));
      const message = await rig.received('ChangePlan');
      rig.clock.advance(120_000);

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('gaveUp');
      expect((await rig.row())?.state).toBe('Failed');
      expect((await rig.local())?.planId).toBe('basic');
      expect(rig.queue.messages()).toEqual([]);
    });

    it('imports a subscription it has never seen from Get Subscription before deciding', async () => {
      // Prepare
      const rig = operationsRig();
      rig.marketplace.subscriptions.set(SUBSCRIPTION_ID, marketplaceSubscription({ planId: 'basic' }));
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      const message = await rig.received('ChangePlan');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(rig.isv.asked[0]?.subscription).toEqual(expect.objectContaining({ id: SUBSCRIPTION_ID, planId: 'basic' }));
      expect((await rig.local())?.planId).toBe('gold');
      expect(await rig.historyKinds()).toEqual(['ChangeAccepted', 'ImportedFromMarketplace', 'PlanChanged']);
    });
  });

  describe('verification', () => {
    it.each([
      ['another action', { action: 'ChangeQuantity' }],
      ['another subscription', { subscriptionId: '00000000-0000-4000-8000-000000000000' }],
    ])('records a webhook that Get Operation contradicts (%s) as Rejected and applies nothing', async (_name, overrides) => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ planId: 'basic' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation(overrides));
      const message = await rig.received('ChangePlan');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('rejected');
      expect((await rig.row())?.state).toBe('Rejected');
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([]);
      expect(rig.isv.asked).toEqual([]);
      expect((await rig.local())?.planId).toBe('basic');
      expect(await rig.historyKinds()).toEqual(['OperationRejected']);
    });

    it('rejects a ChangePlan that Get Operation does not know', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      const message = await rig.received('ChangePlan');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('rejected');
      expect(rig.marketplace.callsOf('getSubscription')).toEqual([]);
    });

    it('verifies a notify-only action without an operation through Get Subscription', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ saasSubscriptionStatus: 'Subscribed' });
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Suspended';
      const message = await rig.received('Suspend');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result).toEqual(expect.objectContaining({ outcome: 'completed', detail: expect.stringContaining('Get Subscription') }));
      expect((await rig.local())?.status).toBe('Suspended');
      expect(isvTypes(rig)).toEqual(['saas.subscription.suspended']);
    });

    it('rejects a notify-only action when neither the operation nor the subscription exists', async () => {
      // Prepare
      const rig = operationsRig();
      const message = await rig.received('Unsubscribe');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('rejected');
      expect(await rig.local()).toBeUndefined();
    });
  });

  describe('notify-only and other actions', () => {
    it('moves the term to the dates Get Subscription reports on Renew', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      const renewed = { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.term = renewed;
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Renew', status: 'Succeeded' }));
      const message = await rig.received('Renew');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect((await rig.local())?.term).toEqual(expect.objectContaining(renewed));
      expect(isvTypes(rig)).toEqual(['saas.subscription.renewed']);
    });

    it('makes Unsubscribe terminal and keeps the data at least 7 days', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Unsubscribed';
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Unsubscribe', status: 'Succeeded' }));
      const message = await rig.received('Unsubscribe');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      const local = await rig.local();
      expect(local?.status).toBe('Unsubscribed');
      expect(Date.parse(local?.retainUntil ?? '') - Date.parse(NOW)).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
      expect(isvTypes(rig)).toEqual(['saas.subscription.unsubscribed']);
    });

    it('acknowledges an InProgress Reinstate with Success and reinstates locally', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ saasSubscriptionStatus: 'Suspended' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Reinstate', planId: 'basic' }));
      const message = await rig.received('Reinstate');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
      expect((await rig.local())?.status).toBe('Subscribed');
      expect(isvTypes(rig)).toEqual(['saas.subscription.reinstated']);
    });

    it('cancels with DELETE, without a PATCH, a Reinstate the ISV refuses', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ saasSubscriptionStatus: 'Suspended' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Reinstate', planId: 'basic' }));
      rig.isv.decision = () => Promise.resolve({ accept: false, reason: 'tenant deleted' });
      const message = await rig.received('Reinstate');

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.acknowledgement?.sent).toBe('Delete');
      expect(rig.marketplace.callsOf('deleteSubscription')).toEqual([[SUBSCRIPTION_ID]]);
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([]);
      expect((await rig.local())?.status).toBe('Suspended');
    });

    it('falls back to PATCH Failure when a refused Reinstate cannot be cancelled', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known({ saasSubscriptionStatus: 'Suspended' });
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Reinstate', planId: 'basic' }));
      rig.isv.decision = () => Promise.resolve({ accept: false });
      rig.marketplace.fail('deleteSubscription', new MarketplaceApiError({ kind: 'http', operation: 'deleteSubscription', status: 400 }));
      const message = await rig.received('Reinstate');

      // Act
      await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Failure']]);
      expect((await rig.local())?.status).toBe('Suspended');
    });

    it.each(['Transfer', 'SomethingNew'])('records %s, changes nothing and does not fail', async (action) => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      const message = await rig.received(action);

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('ignored');
      expect((await rig.row())?.state).toBe('Completed');
      expect(rig.marketplace.calls).toEqual([]);
      expect(rig.isv.notified).toEqual([]);
      expect(await rig.historyKinds()).toEqual(['OperationIgnored']);
    });
  });

  describe('repeats, order and failures', () => {
    it('does nothing for a repeat of a finished operation (the message of a repeat delivery, without the row version)', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      const message = await rig.received('ChangePlan');
      await processOperation(rig.deps, message, FIRST);
      const callsBefore = rig.marketplace.calls.length;

      // Act
      const again = await processOperation(rig.deps, operationMessage(OPERATION_ID, SUBSCRIPTION_ID, 'ChangePlan'), FIRST);

      // Assess
      expect(again.outcome).toBe('alreadyDone');
      expect(rig.marketplace.calls).toHaveLength(callsBefore);
      expect(rig.isv.notified).toHaveLength(1);
    });

    it('applies nothing twice when a copy of the message of a finished operation (with its stale row version) comes again', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ status: 'InProgress' }));
      const message = await rig.received('ChangePlan');
      expect((await processOperation(rig.deps, message, FIRST)).outcome).toBe('completed');
      const history = await rig.historyKinds();

      const callsBefore = rig.marketplace.calls.length;

      // Act
      const again = await processOperation(rig.deps, message, FIRST);

      // Assess: the record names the operation, so the copy stops there: no Marketplace call, nothing twice
      expect(again.outcome).toBe('alreadyDone');
      expect(rig.marketplace.calls).toHaveLength(callsBefore);
      expect(rig.marketplace.callsOf('updateOperation')).toHaveLength(1);
      expect(rig.isv.asked).toHaveLength(1);
      expect(rig.isv.notified).toHaveLength(1);
      expect(await rig.historyKinds()).toEqual(history);
      expect((await rig.row())?.state).toBe('Completed');
    });

    it('puts the message back, untouched, while another worker holds the subscription', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      const message = await rig.received('Suspend');
      await rig.subscriptions.leases.create({ subscriptionId: SUBSCRIPTION_ID, takenAt: NOW, renewedAt: NOW });

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('busy');
      expect(rig.marketplace.calls).toEqual([]);
      expect(rig.queue.messages()).toEqual([expect.objectContaining({ operationId: OPERATION_ID, check: 1 })]);
    });

    it('takes over a lease abandoned by a worker that died', async () => {
      // Prepare
      const rig = operationsRig({ leaseTtlMs: 60_000 });
      await rig.known();
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Suspended';
      const message = await rig.received('Suspend');
      await rig.subscriptions.leases.create({ subscriptionId: SUBSCRIPTION_ID, takenAt: NOW, renewedAt: NOW });
      rig.clock.advance(61_000);

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('completed');
      expect(await rig.subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
    });

    it('converges a late ChangeQuantity and an earlier-processed Suspend on the marketplace state', async () => {
      // Prepare: seats went 10 → 20, then the subscription was suspended; the Suspend is processed first.
      const rig = operationsRig();
      await rig.known({ quantity: 10 });
      const truth = rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
      Object.assign(truth, { quantity: 20, saasSubscriptionStatus: 'Suspended' });
      const changeId = '11111111-1111-4111-8111-111111111111';
      const suspendId = '22222222-2222-4222-8222-222222222222';
      rig.marketplace.operations.set(changeId, marketplaceOperation({ id: changeId, action: 'ChangeQuantity', quantity: 20, status: 'Succeeded' }));
      rig.marketplace.operations.set(suspendId, marketplaceOperation({ id: suspendId, action: 'Suspend', status: 'Succeeded' }));
      const change = await rig.received('ChangeQuantity', changeId);
      const suspend = await rig.received('Suspend', suspendId);

      // Act
      await processOperation(rig.deps, suspend, FIRST);
      await processOperation(rig.deps, change, FIRST);

      // Assess
      expect(await rig.local()).toEqual(expect.objectContaining({ status: 'Suspended', quantity: 20 }));
      expect(isvTypes(rig)).toEqual(['saas.subscription.quantity_changed', 'saas.subscription.suspended']);
    });

    it('records the error and rethrows so that the queue retries; the last attempt marks the row Failed', async () => {
      // Prepare
      const rig = operationsRig({ maxDequeueCount: 2 });
      await rig.known();
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
      const outage = new MarketplaceApiError({ kind: 'http', operation: 'getOperation', status: 500 });
      rig.marketplace.fail('getOperation', outage);
      rig.marketplace.fail('getOperation', outage);
      const message = await rig.received('ChangePlan');

      // Act
      const first = await processOperation(rig.deps, message, { dequeueCount: 1 }).catch((error: unknown) => error);
      const afterFirst = await rig.row();
      const last = await processOperation(rig.deps, message, { dequeueCount: 2 }).catch((error: unknown) => error);

      // Assess
      expect(first).toBe(outage);
      expect(afterFirst).toEqual(expect.objectContaining({ state: 'Queued', attempts: 1, lastError: expect.objectContaining({ code: 'MarketplaceRequestFailed' }) }));
      expect(last).toBe(outage);
      expect((await rig.row())?.state).toBe('Failed');
      expect(await rig.historyKinds()).toEqual(['OperationFailed']);
      expect(await rig.subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
    });

    it('does not let a late copy of a Suspend take the id of a later Suspend (the ISV would drop that one as a repeat)', async () => {
      // Prepare: Suspend S1 processed, then Reinstate; Microsoft then suspends again (S2)
      const rig = operationsRig();
      await rig.known();
      const truth = rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
      const s1 = '11111111-1111-4111-8111-111111111111';
      const reinstate = '22222222-2222-4222-8222-222222222222';
      const s2 = '33333333-3333-4333-8333-333333333333';
      truth.saasSubscriptionStatus = 'Suspended';
      rig.marketplace.operations.set(s1, marketplaceOperation({ id: s1, action: 'Suspend', status: 'Succeeded' }));
      const lateCopy = await rig.received('Suspend', s1);
      await processOperation(rig.deps, lateCopy, FIRST);
      truth.saasSubscriptionStatus = 'Subscribed';
      rig.marketplace.operations.set(reinstate, marketplaceOperation({ id: reinstate, action: 'Reinstate', status: 'Succeeded' }));
      await processOperation(rig.deps, await rig.received('Reinstate', reinstate), FIRST);
      truth.saasSubscriptionStatus = 'Suspended';
      rig.marketplace.operations.set(s2, marketplaceOperation({ id: s2, action: 'Suspend', status: 'Succeeded' }));

      // Act: the copy of S1 (still carrying the row version of its first delivery) comes before S2
      const copy = await processOperation(rig.deps, lateCopy, FIRST);
      const second = await processOperation(rig.deps, await rig.received('Suspend', s2), FIRST);

      // Assess
      expect(copy.outcome).toBe('alreadyDone');
      expect(second.outcome).toBe('completed');
      expect(rig.isv.notified.map((event) => event.id)).toEqual([`${SUBSCRIPTION_ID}:${s1}`, `${SUBSCRIPTION_ID}:${reinstate}`, `${SUBSCRIPTION_ID}:${s2}`]);
      expect((await rig.local())?.status).toBe('Suspended');
    });

    it('loses no history row and writes none twice when the worker dies between the history rows and the record write', async () => {
      // Prepare: the record write fails once, as if the worker died after writing the history rows
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Suspended';
      rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Suspend', status: 'Succeeded' }));
      const message = await rig.received('Suspend');
      const died = new Error('worker died');
      jest.spyOn(rig.subscriptions, 'update').mockRejectedValueOnce(died);
      const deps = rig.deps;

      // Act
      const first = await processOperation(deps, message, FIRST).catch((error: unknown) => error);
      const afterCrash = { status: (await rig.local())?.status, history: await rig.historyKinds() };
      const retry = await processOperation(deps, message, { dequeueCount: 2 });

      // Assess: the row was written ahead of the record, and the retry neither loses nor repeats it
      expect(first).toBe(died);
      expect(afterCrash).toEqual({ status: 'Subscribed', history: ['StatusChanged'] });
      expect(retry.outcome).toBe('completed');
      expect((await rig.local())?.status).toBe('Suspended');
      expect(await rig.historyKinds()).toEqual(['StatusChanged']);
      expect(new Set(rig.isv.notified.map((event) => event.id)).size).toBe(1);
      expect((await rig.row())?.state).toBe('Completed');
    });

    it('processes a replayed Failed operation again', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Suspended';
      const message = await rig.received('Suspend');
      const row = (await rig.operations.get(OPERATION_ID))!;
      await rig.operations.update({ ...row.value, state: 'Failed' }, row.etag);

      // Act
      const result = await processOperation(rig.deps, message, FIRST);

      // Assess
      expect(result.outcome).toBe('completed');
      expect((await rig.local())?.status).toBe('Suspended');
    });

    it('leaves the record unchanged when the ISV cannot be told, so that the retry tells it', async () => {
      // Prepare
      const rig = operationsRig();
      await rig.known();
      rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.saasSubscriptionStatus = 'Suspended';
      rig.isv.notifyFailures = 1;
      const message = await rig.received('Suspend');

      // Act
      const first = await processOperation(rig.deps, message, FIRST).catch((error: unknown) => error);
      const afterFirst = (await rig.local())?.status;
      await processOperation(rig.deps, message, { dequeueCount: 2 });

      // Assess
      expect(first).toBeInstanceOf(Error);
      expect(afterFirst).toBe('Subscribed');
      expect((await rig.local())?.status).toBe('Suspended');
      expect(isvTypes(rig)).toEqual(['saas.subscription.suspended']);
    });
  });
});
