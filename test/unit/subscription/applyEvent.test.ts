import type { IsvEvent, LifecycleNotifier } from '../../../shared/isv/hooks';
import { silentLogger } from '../../../shared/logging';
import { applySubscriptionEvent } from '../../../shared/subscription/applyEvent';
import { NotFoundError } from '../../../shared/errors';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

function setup(notify: (event: IsvEvent) => Promise<void> = () => Promise.resolve()) {
  const stores = createInMemoryTableStores();
  const notified: IsvEvent[] = [];
  const isv: LifecycleNotifier = {
    notify: async (event) => {
      notified.push(event);
      await notify(event);
    },
  };
  return { ...stores, notified, deps: { subscriptions: stores.subscriptions, history: stores.history, isv, logger: silentLogger } };
}

const AT = '2026-03-01T10:00:00.000Z';

describe('applySubscriptionEvent', () => {
  it('writes the new state, one history row per change and tells the ISV', async () => {
    // Prepare
    const { deps, subscriptions, history, notified } = setup();
    const record = buildSubscriptionRecord({ planId: 'basic' });
    await subscriptions.create(record);

    // Act
    const result = await applySubscriptionEvent(deps, record.id, { type: 'ChangePlan', at: AT, planId: 'gold' }, { operationId: 'op-1' });

    // Assess
    expect(result.outcome).toBe('applied');
    expect((await subscriptions.get(record.id))?.value.planId).toBe('gold');
    const rows = (await history.list(record.id)).items;
    expect(rows).toEqual([expect.objectContaining({ kind: 'PlanChanged', from: 'basic', to: 'gold', operationId: 'op-1' })]);
    expect(notified).toEqual([
      expect.objectContaining({ type: 'saas.subscription.plan_changed', id: `${record.id}:op-1`, subject: record.id, time: AT }),
    ]);
  });

  it('is a no-op the second time, without a second history row or notification', async () => {
    // Prepare
    const { deps, subscriptions, history, notified } = setup();
    const record = buildSubscriptionRecord();
    await subscriptions.create(record);
    await applySubscriptionEvent(deps, record.id, { type: 'Suspend', at: AT }, { operationId: 'op-2' });

    // Act
    const again = await applySubscriptionEvent(deps, record.id, { type: 'Suspend', at: AT }, { operationId: 'op-2' });

    // Assess
    expect(again.outcome).toBe('unchanged');
    expect((await history.list(record.id)).items).toHaveLength(1);
    expect(notified).toHaveLength(1);
  });

  it('leaves the record unchanged when the ISV cannot be told, so the retry delivers it', async () => {
    // Prepare
    let fail = true;
    const { deps, subscriptions, notified } = setup(() => (fail ? Promise.reject(new Error('ISV down')) : Promise.resolve()));
    const record = buildSubscriptionRecord();
    await subscriptions.create(record);

    // Act
    await expect(applySubscriptionEvent(deps, record.id, { type: 'Suspend', at: AT }, { operationId: 'op-3' })).rejects.toThrow('ISV down');
    const statusAfterFailure = (await subscriptions.get(record.id))?.value.status;
    fail = false;
    await applySubscriptionEvent(deps, record.id, { type: 'Suspend', at: AT }, { operationId: 'op-3' });

    // Assess
    expect(statusAfterFailure).toBe('Subscribed');
    expect((await subscriptions.get(record.id))?.value.status).toBe('Suspended');
    expect(notified.map((e) => e.id)).toEqual([`${record.id}:op-3`, `${record.id}:op-3`]);
  });

  it('records a refused event in history and changes nothing', async () => {
    // Prepare
    const { deps, subscriptions, history, notified } = setup();
    const record = buildSubscriptionRecord({ status: 'Unsubscribed' });
    await subscriptions.create(record);

    // Act
    const result = await applySubscriptionEvent(deps, record.id, { type: 'Reinstate', at: AT }, { operationId: 'op-4' });

    // Assess
    expect(result).toMatchObject({ outcome: 'refused', refusal: { code: 'Terminal' } });
    expect((await history.list(record.id)).items).toEqual([expect.objectContaining({ kind: 'EventRefused', operationId: 'op-4' })]);
    expect(notified).toHaveLength(0);
  });

  it('fails with NotFoundError for a subscription it does not know', async () => {
    // Prepare
    const { deps } = setup();

    // Act / Assess
    await expect(applySubscriptionEvent(deps, 'missing', { type: 'Suspend', at: AT })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes a status row (not a retention row) on Unsubscribe and keeps data 7 days', async () => {
    // Prepare
    const { deps, subscriptions, history } = setup();
    const record = buildSubscriptionRecord();
    await subscriptions.create(record);

    // Act
    await applySubscriptionEvent(deps, record.id, { type: 'Unsubscribe', at: AT }, { operationId: 'op-5' });

    // Assess
    expect((await subscriptions.get(record.id))?.value).toMatchObject({ status: 'Unsubscribed', retainUntil: '2026-03-08T10:00:00.000Z' });
    expect((await history.list(record.id)).items.map((r) => r.kind)).toEqual(['StatusChanged']);
  });
});
