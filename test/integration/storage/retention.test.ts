import { randomUUID } from 'node:crypto';
import { fixedClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logging';
import { enforceRetention, erasePersonalData, removeTestSubscriptions } from '../../../shared/retention';
import { createTableStores, type TableStores } from '../../../shared/storage/createTableStores';
import { createPersonalDataStore, type PersonalDataStore } from '../../../shared/storage/personalDataStore';
import { createJobRunStore, type JobRunStore } from '../../../shared/runs';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { useAzurite } from '../../support/useAzurite';

// Retention on real Table Storage (Azurite): erasure, the timer's selection, test-subscription removal.
const azurite = useAzurite();
const DAY = 24 * 60 * 60 * 1000;
let tableSet = 0;

interface Fixture extends TableStores {
  personalData: PersonalDataStore;
  runs: JobRunStore;
  clock: ReturnType<typeof fixedClock>;
}

function fixture(now = '2026-06-01T00:00:00.000Z'): Fixture {
  tableSet += 1;
  const settings = { connectionString: azurite().connectionString, tableNamePrefix: `r${process.pid}x${tableSet}` };
  return { ...createTableStores(settings), personalData: createPersonalDataStore(settings), runs: createJobRunStore(settings), clock: fixedClock(now) };
}

function deps(f: Fixture, personalDataDays = 30) {
  return { ...f, logger: silentLogger, personalDataDays };
}

/** An ended subscription: Unsubscribed `daysAgo` days before 2026-06-01, with e-mails, a name and a Drift row naming it. */
async function endedSubscription(f: Fixture, daysAgo: number, overrides: Parameters<typeof buildSubscriptionRecord>[0] = {}): Promise<string> {
  const id = randomUUID();
  const ended = Date.parse('2026-06-01T00:00:00.000Z') - daysAgo * DAY;
  await f.subscriptions.create(
    buildSubscriptionRecord({
      id,
      name: 'Jane Doe analytics',
      status: 'Unsubscribed',
      retainUntil: new Date(ended + 7 * DAY).toISOString(),
      beneficiary: { emailId: 'jane@fabrikam.example', objectId: 'o-2', tenantId: 't-2', puid: '1003' },
      lastError: { code: 'ActivationFailed', message: 'ISV refused jane@fabrikam.example', at: '2026-01-01T00:00:00.000Z' },
      ...overrides,
    }),
  );
  await f.history.append({ subscriptionId: id, at: '2026-01-02T00:00:00.000Z', kind: 'Drift', from: { name: 'Jane analytics', autoRenew: true }, to: { name: 'Jane Doe analytics', autoRenew: false }, detail: 'repaired' });
  await f.history.append({ subscriptionId: id, at: '2026-01-03T00:00:00.000Z', kind: 'StatusChanged', from: 'Subscribed', to: 'Unsubscribed', operationId: 'op-1' });
  return id;
}

describe('erasePersonalData on Table Storage', () => {
  it('removes names, e-mails and user ids from the record and its history, keeping ids, plan, dates and the history rows', async () => {
    // Prepare
    const f = fixture();
    const id = await endedSubscription(f, 100);

    // Act
    const report = await erasePersonalData({ ...f, logger: silentLogger }, id, 'request');

    // Assess
    expect(report).toEqual({ subscriptionId: id, erasedAt: '2026-06-01T00:00:00.000Z', fieldsErased: ['name', 'purchaser', 'beneficiary', 'lastError'], historyEntriesScrubbed: 1 });
    const record = (await f.subscriptions.get(id))?.value;
    expect(record).toMatchObject({ id, name: '', offerId: 'contoso-saas', planId: 'basic', quantity: 10, status: 'Unsubscribed', purchaser: { tenantId: 't-1' }, beneficiary: { tenantId: 't-2' }, personalDataErasedAt: '2026-06-01T00:00:00.000Z' });
    expect(record?.lastError?.message).toBe('ISV refused [email]');
    expect(JSON.stringify(record)).not.toMatch(/jane|buyer@|o-1|o-2|1003/i);
    const history = (await f.history.list(id)).items;
    expect(history.map((e) => e.kind)).toEqual(['PersonalDataErased', 'StatusChanged', 'Drift']);
    expect(history[2]).toMatchObject({ from: { name: null, autoRenew: true }, to: { name: null, autoRenew: false }, detail: 'repaired' });
    expect(history[1]).toMatchObject({ from: 'Subscribed', to: 'Unsubscribed', operationId: 'op-1' });
  });

  it('is idempotent, and two erasures at once leave one audit row', async () => {
    // Prepare
    const f = fixture();
    const id = await endedSubscription(f, 100);

    // Act
    const [a, b] = await Promise.all([erasePersonalData({ ...f, logger: silentLogger }, id, 'request'), erasePersonalData({ ...f, logger: silentLogger }, id, 'retention')]);
    const again = await erasePersonalData({ ...f, logger: silentLogger }, id, 'request');

    // Assess
    expect([a.erasedAt, b.erasedAt, again.erasedAt]).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
    expect(again).toMatchObject({ fieldsErased: [], historyEntriesScrubbed: 0 });
    const kinds = (await f.history.list(id)).items.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'PersonalDataErased')).toHaveLength(1);
  });

  it('keeps the data erased when Microsoft later reports the subscription with its e-mails again', async () => {
    // Prepare
    const f = fixture();
    const id = await endedSubscription(f, 100);
    await erasePersonalData({ ...f, logger: silentLogger }, id, 'request');
    const erased = (await f.subscriptions.get(id))!.value;

    // Act: what reconciliation and the webhook paths compute from Microsoft's answer
    const next = recordFromMarketplace(
      { id, name: 'Jane Doe analytics', offerId: 'contoso-saas', planId: 'basic', saasSubscriptionStatus: 'Unsubscribed', term: {}, purchaser: { emailId: 'buyer@contoso.example', objectId: 'o-1', tenantId: 't-1' } },
      '2026-06-02T00:00:00.000Z',
      erased,
    );

    // Assess
    expect(next).toMatchObject({ name: '', purchaser: { tenantId: 't-1' }, personalDataErasedAt: '2026-06-01T00:00:00.000Z' });
    expect(JSON.stringify(next)).not.toMatch(/buyer@|o-1/);
  });

  it('answers NotFound for an unknown subscription', async () => {
    // Act / Assess
    await expect(erasePersonalData({ ...fixture(), logger: silentLogger }, randomUUID(), 'request')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('enforceRetention on Table Storage', () => {
  it('erases only ended subscriptions whose period has passed, and skips them on the next run', async () => {
    // Prepare
    const f = fixture();
    const due = await endedSubscription(f, 31);
    const notYet = await endedSubscription(f, 29);
    const live = randomUUID();
    await f.subscriptions.create(buildSubscriptionRecord({ id: live, status: 'Subscribed' }));

    // Act
    const first = await enforceRetention(deps(f, 30));
    const second = await enforceRetention(deps(f, 30));

    // Assess
    expect(first).toEqual({ examined: 2, erased: 1, notYetDue: 1, failed: 0 });
    expect(second).toEqual({ examined: 2, erased: 0, notYetDue: 1, failed: 0 });
    expect(await f.runs.latest('retention')).toMatchObject({ outcome: 'succeeded', counts: { examined: 2, erased: 0, notYetDue: 1, failed: 0 }, finishedAt: '2026-06-01T00:00:00.000Z' });
    expect((await f.subscriptions.get(due))?.value.personalDataErasedAt).toBe('2026-06-01T00:00:00.000Z');
    expect((await f.subscriptions.get(notYet))?.value.beneficiary?.emailId).toBe('jane@fabrikam.example');
    expect((await f.subscriptions.get(live))?.value.purchaser?.emailId).toBe('buyer@contoso.example');
  });

  it('never erases before retainUntil, and does nothing when the period is 0 (timer off)', async () => {
    // Prepare
    const f = fixture();
    const id = await endedSubscription(f, 10, { retainUntil: '2026-06-05T00:00:00.000Z' });

    // Act
    const off = await enforceRetention(deps(f, 0));
    const early = await enforceRetention(deps(f, 7));

    // Assess
    expect(off).toEqual({ examined: 0, erased: 0, notYetDue: 0, failed: 0 });
    expect(early).toMatchObject({ erased: 0, notYetDue: 1 });
    expect((await f.subscriptions.get(id))?.value.personalDataErasedAt).toBeUndefined();
  });

  it('gives the same result when two instances run the timer at once', async () => {
    // Prepare
    const f = fixture();
    const ids = await Promise.all([40, 50, 60].map((days) => endedSubscription(f, days)));

    // Act
    const reports = await Promise.all([enforceRetention(deps(f)), enforceRetention(deps(f))]);

    // Assess
    expect(reports.every((r) => r.failed === 0)).toBe(true);
    for (const id of ids) {
      const history = (await f.history.list(id)).items;
      expect(history.filter((e) => e.kind === 'PersonalDataErased')).toHaveLength(1);
      expect(JSON.stringify(history)).not.toMatch(/Jane/);
      expect((await f.subscriptions.get(id))?.value.name).toBe('');
    }
  });
});

describe('removeTestSubscriptions on Table Storage', () => {
  it('removes ended test subscriptions with their history and operations, and skips live or real ones with the reason', async () => {
    // Prepare
    const f = fixture();
    const endedTest = await endedSubscription(f, 1, { isTest: true });
    const liveTest = randomUUID();
    await f.subscriptions.create(buildSubscriptionRecord({ id: liveTest, isTest: true }));
    const real = await endedSubscription(f, 1);
    await f.operations.create({ id: randomUUID(), subscriptionId: endedTest, action: 'Unsubscribe', state: 'Completed', receivedAt: '2026-01-03T00:00:00.000Z', updatedAt: '2026-01-03T00:00:00.000Z', attempts: 1 });

    // Act
    const dry = await removeTestSubscriptions({ ...f, logger: silentLogger }, { dryRun: true });
    const all = await removeTestSubscriptions({ ...f, logger: silentLogger }, {});
    const named = await removeTestSubscriptions({ ...f, logger: silentLogger }, { subscriptionIds: [endedTest, liveTest, real] });

    // Assess
    expect(dry).toEqual({ dryRun: true, removed: [{ subscriptionId: endedTest, historyRows: 0, operations: 0 }], skipped: [] });
    expect(all).toEqual({ dryRun: false, removed: [{ subscriptionId: endedTest, historyRows: 2, operations: 1 }], skipped: [] });
    expect(await f.subscriptions.get(endedTest)).toBeUndefined();
    expect((await f.history.list(endedTest)).items).toEqual([]);
    expect(named.removed).toEqual([]);
    expect(named.skipped).toEqual([
      { subscriptionId: endedTest, reason: 'not found' },
      { subscriptionId: liveTest, reason: 'still Subscribed: cancel it first (POST /api/subscriptions/{id}/cancel)' },
      { subscriptionId: real, reason: 'not a test subscription' },
    ]);
    expect(await f.subscriptions.get(real)).toBeDefined();
  });
});
