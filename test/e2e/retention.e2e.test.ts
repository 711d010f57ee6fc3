import { randomUUID } from 'node:crypto';
import { buildSubscriptionRecord } from '../fixtures/buildSubscriptionRecord';
import { e2eStack, fireAction, hostFetch, purchase, waitFor } from './harness';
import { localStores, type StackAddresses } from './webhookFlows';

/**
 * Personal data on the local stack: erasure on request (and it staying erased when Microsoft's
 * data comes back through the landing page), the retention timer run through the host's admin API,
 * and the removal of ended test subscriptions.
 */
function stack(): StackAddresses {
  const { emulatorUrl, emulatorApiUrl, storageConnectionString, settings } = e2eStack();
  return { emulatorUrl, emulatorApiUrl, storageConnectionString, settings };
}

interface Detail {
  subscription: { id: string; name: string; status: string; purchaser?: Record<string, unknown>; beneficiary?: Record<string, unknown>; personalDataErasedAt?: string };
  history: { items: Array<{ kind: string }> };
}

const post = (path: string, body?: unknown): Promise<Response> =>
  hostFetch(path, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const detail = async (id: string): Promise<Detail> => (await hostFetch(`/api/subscriptions/${id}`)).json() as Promise<Detail>;

describe('personal data on the local stack', () => {
  const stores = localStores(stack());

  it('erases a cancelled subscription on request; a later landing page visit does not store the e-mails again', async () => {
    // Prepare: bought, activated through the landing page, then cancelled by the customer
    const bought = await purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    expect((await fetch(bought.landingUrl)).status).toBe(200);
    await waitFor('activation', async () => ((await detail(bought.subscriptionId)).subscription?.status === 'Subscribed' ? true : undefined), { timeoutMs: 30_000 });
    await fireAction(bought.subscriptionId, 'Unsubscribe');
    await waitFor('unsubscribe', async () => ((await detail(bought.subscriptionId)).subscription.status === 'Unsubscribed' ? true : undefined), { timeoutMs: 30_000 });
    expect(JSON.stringify((await detail(bought.subscriptionId)).subscription)).toMatch(/@customer\.example/);

    // Act
    const response = await post(`/api/subscriptions/${bought.subscriptionId}/erase-personal-data`);
    const revisit = await fetch(bought.landingUrl);

    // Assess
    expect(response.status).toBe(200);
    const report = (await response.json()) as { fieldsErased: string[]; erasedAt: string };
    expect(report.fieldsErased).toEqual(expect.arrayContaining(['name', 'purchaser', 'beneficiary']));
    // The page shows what Microsoft answers for the buyer's token; what we store stays erased.
    expect(revisit.status).toBe(200);
    const after = await detail(bought.subscriptionId);
    expect(after.subscription).toMatchObject({ name: '', status: 'Unsubscribed', personalDataErasedAt: report.erasedAt });
    expect(JSON.stringify(after)).not.toMatch(/@customer\.example/);
    expect(after.history.items.map((e) => e.kind)).toContain('PersonalDataErased');
  }, 90_000);

  it('answers 404 for an unknown subscription and for a malformed id', async () => {
    // Act
    const unknown = await post(`/api/subscriptions/${randomUUID()}/erase-personal-data`);
    const malformed = await post('/api/subscriptions/not-an-id/erase-personal-data');

    // Assess
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
  });

  it('runs the retention timer through the host: an ended subscription past its period loses its personal data, a recent one keeps it', async () => {
    // Prepare: two ended subscriptions, 120 and 10 days ago (the stack keeps the default 90 days)
    const day = 24 * 60 * 60 * 1000;
    const old = randomUUID();
    const recent = randomUUID();
    for (const [id, daysAgo] of [[old, 120], [recent, 10]] as const) {
      await stores.subscriptions.create(
        buildSubscriptionRecord({ id, status: 'Unsubscribed', retainUntil: new Date(Date.now() - (daysAgo - 7) * day).toISOString(), updatedAt: new Date(Date.now() - daysAgo * day).toISOString() }),
      );
    }

    // Act
    const started = await hostFetch('/admin/functions/enforceRetention', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: '' }) });

    // Assess
    expect(started.status).toBe(202);
    const erased = await waitFor('the retention run', async () => {
      const record = (await stores.subscriptions.get(old))?.value;
      return record?.personalDataErasedAt !== undefined ? record : undefined;
    });
    expect(erased.purchaser).toEqual({ tenantId: 't-1' });
    expect((await stores.subscriptions.get(recent))?.value.purchaser?.emailId).toBe('buyer@contoso.example');
  });

  it('removes an ended test subscription with its history, validates the body, and refuses to touch a real one', async () => {
    // Prepare
    const test = randomUUID();
    const real = randomUUID();
    await stores.subscriptions.create(buildSubscriptionRecord({ id: test, isTest: true, status: 'Unsubscribed' }));
    await stores.subscriptions.create(buildSubscriptionRecord({ id: real, status: 'Unsubscribed' }));
    await stores.history.append({ subscriptionId: test, at: new Date().toISOString(), kind: 'StatusChanged', from: 'Subscribed', to: 'Unsubscribed' });

    // Act
    const invalid = await post('/api/test-subscriptions/remove', { subscriptionIds: ['nope'], everything: true });
    const removed = await post('/api/test-subscriptions/remove', { subscriptionIds: [test, real] });

    // Assess
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { details: { issues: string[] } } }).error.details.issues).toEqual([
      'subscriptionIds[0]: must be a subscription id (GUID)',
      '(root): Unrecognized key: "everything"',
    ]);
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({
      dryRun: false,
      removed: [{ subscriptionId: test, historyRows: 1, operations: 0 }],
      skipped: [{ subscriptionId: real, reason: 'not a test subscription' }],
    });
    expect((await hostFetch(`/api/subscriptions/${test}`)).status).toBe(404);
    expect((await hostFetch(`/api/subscriptions/${real}`)).status).toBe(200);
  });
});
