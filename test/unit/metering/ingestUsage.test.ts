import { DependencyUnavailableError } from '../../../shared/errors';
import { appendMode } from '../../../shared/metering/ingestUsage';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { bucketKey, OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID } from './support/builders';
import { meteringRig, wire } from './support/rig';

describe('usage ingestion: validation', () => {
  it.each([
    ['a record that is not an object', 'not a record', 'invalid-record', /Malformed usage record: \(root\)/],
    ['a missing subscriptionId', wire({ subscriptionId: undefined }), 'invalid-record', /subscriptionId: required/],
    ['a subscriptionId that is not a GUID', wire({ subscriptionId: 'contoso' }), 'invalid-record', /subscriptionId: must be a GUID/],
    ['an empty dimension', wire({ dimension: ' ' }), 'invalid-record', /dimension: must not be empty/],
    ['a quantity sent as text', wire({ quantity: '5' }), 'invalid-record', /quantity: required, a JSON number/],
    ['a timestamp without a time zone', wire({ timestamp: '2025-03-10T10:15:00' }), 'invalid-record', /timestamp: must be ISO-8601 with a time zone/],
    ['an empty id', wire({ id: '' }), 'invalid-record', /id: must not be empty/],
    ['a zero quantity', wire({ quantity: 0 }), 'invalid-quantity', /quantity must be a finite number greater than 0, got 0/],
    ['a negative quantity', wire({ quantity: -2.5 }), 'invalid-quantity', /greater than 0, got -2.5/],
    ['an infinite quantity (1e999 in JSON)', wire({ quantity: Number.POSITIVE_INFINITY }), 'invalid-quantity', /got Infinity/],
    ['a timestamp in the future', wire({ timestamp: '2025-03-10T10:32:00Z' }), 'timestamp-in-future', /2025-03-10T10:32:00.000Z is in the future \(now 2025-03-10T10:30:00.000Z\)/],
    ['a timestamp whose hour started more than 24 h minus the margin ago', wire({ timestamp: '2025-03-09T13:45:00Z' }), 'timestamp-too-old', /this app accepts it for 21 hours .*earliest hour accepted now: 2025-03-09T14:00:00.000Z/],
    ['an unknown subscription', wire({ subscriptionId: '00000000-0000-4000-8000-000000000001' }), 'unknown-subscription', /not known to this app/],
    ['a dimension its plan does not define', wire({ dimension: 'emails' }), 'unknown-dimension', /dimension emails is not defined by plan starter of offer contoso-analytics \(it defines api-calls, storage-gb\)/],
  ])('refuses %s with a clear reason', async (_case, record, code, message) => {
    // Prepare
    const rig = await meteringRig();

    // Act
    const report = await rig.ingestion.ingest([record]);

    // Assess
    expect(report.results).toEqual([expect.objectContaining({ index: 0, status: 'rejected', reason: { code, message: expect.stringMatching(message) } })]);
    expect(rig.metering.calls).toBe(0);
  });

  it('accepts the oldest hour still inside the window and a timestamp slightly ahead of this app’s clock', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    const report = await rig.ingestion.ingest([wire({ timestamp: '2025-03-09T14:00:00Z' }), wire({ timestamp: '2025-03-10T10:30:59Z' })]);

    // Assess
    expect(report.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
  });

  it('refuses usage of a subscription that is not Subscribed, naming its status', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, status: 'Suspended' }));

    // Act
    const report = await rig.ingestion.ingest([wire()]);

    // Assess
    expect(report.results[0]?.reason).toEqual({ code: 'subscription-not-subscribed', message: expect.stringContaining('is Suspended; Microsoft accepts usage only while it is Subscribed') });
  });

  it('accepts usage of a cancelled subscription dated before the cancellation and refuses usage after it', async () => {
    // Prepare: cancelled at 10:20 (retainUntil is set 7 days after the cancellation)
    const rig = await meteringRig();
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, status: 'Unsubscribed', retainUntil: '2025-03-17T10:20:00.000Z' }));

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'before', timestamp: '2025-03-10T10:19:59Z' }), wire({ id: 'after', timestamp: '2025-03-10T10:20:00Z' })]);

    // Assess
    expect(report.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    expect(report.results[1]?.reason).toEqual({
      code: 'subscription-not-subscribed',
      message: expect.stringContaining('was cancelled at 2025-03-10T10:20:00.000Z; Microsoft accepts usage of a cancelled subscription only for usage before the cancellation'),
    });
  });

  it('refuses usage of a plan Microsoft does not list for the subscription', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, planId: 'retired' }));

    // Act
    const report = await rig.ingestion.ingest([wire()]);

    // Assess
    expect(report.results[0]?.reason?.code).toBe('unknown-plan');
    expect(report.results[0]?.reason?.message).toContain('plan retired of offer contoso-analytics is not in the plan catalog');
  });

  it('keeps the valid records of a batch and refuses the others, one result per record in order', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'a', quantity: 2 }), wire({ id: 'b', quantity: -1 }), wire({ id: 'c', quantity: 3, dimension: 'storage-gb' })]);

    // Assess
    expect(report).toMatchObject({ accepted: 2, rejected: 1, duplicate: 0, unbilled: 0 });
    expect(report.results.map((r) => [r.index, r.id, r.status])).toEqual([[0, 'a', 'accepted'], [1, 'b', 'rejected'], [2, 'c', 'accepted']]);
    expect((await rig.usage.sumBucket(bucketKey())).billableQuantity).toBe(2);
    expect((await rig.usage.sumBucket(bucketKey({ dimension: 'storage-gb' }))).billableQuantity).toBe(3);
  });
});

describe('usage ingestion: storage', () => {
  it('accepts a record with an id once and answers a retry as a duplicate without counting it again', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.ingestion.ingest([wire({ id: 'evt-1', quantity: 5 })]);

    // Act
    const retry = await rig.ingestion.ingest([wire({ id: 'evt-1', quantity: 5 })]);

    // Assess
    expect(retry.results[0]).toMatchObject({ status: 'duplicate', reason: { code: 'already-recorded' } });
    expect((await rig.usage.sumBucket(bucketKey())).billableQuantity).toBe(5);
  });

  it('refuses an id already used for different usage', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.ingestion.ingest([wire({ id: 'evt-1', quantity: 5 })]);

    // Act
    const reused = await rig.ingestion.ingest([wire({ id: 'evt-1', quantity: 6 })]);

    // Assess
    expect(reused.results[0]).toMatchObject({ status: 'rejected', reason: { code: 'id-conflict', message: expect.stringContaining('quantity 5') } });
  });

  it('stores an id repeated inside one request once', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'x', quantity: 1 }), wire({ id: 'x', quantity: 1 }), wire({ id: 'x', quantity: 9 })]);

    // Assess
    expect(report.results.map((r) => `${r.status}:${r.reason?.code ?? ''}`)).toEqual(['accepted:', 'duplicate:repeated-in-request', 'rejected:id-conflict']);
    expect((await rig.usage.sumBucket(bucketKey())).billableQuantity).toBe(1);
  });

  it('counts records without an id each time they are sent', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    await rig.ingestion.ingest([wire({ quantity: 1 }), wire({ quantity: 1 })]);
    await rig.ingestion.ingest([wire({ quantity: 1 })]);

    // Assess
    expect(await rig.usage.sumBucket(bucketKey())).toMatchObject({ billableQuantity: 3, billableRecords: 3 });
  });

  it('creates the hour’s bucket with the subscription’s plan and lists it as pending', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    await rig.ingestion.ingest([wire({ timestamp: '2025-03-10T09:59:59.999Z' })]);

    // Assess
    const hour = '2025-03-10T09:00:00.000Z';
    expect((await rig.usage.getBucket(bucketKey({ hour })))?.value).toMatchObject({ state: 'Open', offerId: 'contoso-analytics', planId: 'starter', attempts: 0 });
    expect((await rig.usage.listPending({ throughHour: hour })).items).toEqual([{ ...bucketKey({ hour }), offerId: 'contoso-analytics', planId: 'starter' }]);
  });

  it('keeps usage for an hour already emitted and reports it as unbilled', async () => {
    // Prepare
    const rig = await meteringRig({ now: '2025-03-10T11:10:00.000Z' });
    await rig.ingestion.ingest([wire({ id: 'on-time', quantity: 4 })]);
    await rig.emit();

    // Act
    const late = await rig.ingestion.ingest([wire({ id: 'late', quantity: 7 })]);

    // Assess
    expect(late.results[0]).toMatchObject({ status: 'unbilled', hour: '2025-03-10T10:00:00.000Z', reason: { code: 'hour-already-emitted' } });
    expect(late).toMatchObject({ accepted: 0, unbilled: 1 });
    expect(await rig.usage.sumBucket(bucketKey())).toEqual({ billableQuantity: 4, billableRecords: 1, lateQuantity: 7, lateRecords: 1 });
  });

  it('accepts usage for a closed hour that has not been emitted yet', async () => {
    // Prepare
    const rig = await meteringRig({ now: '2025-03-10T13:00:00.000Z' });

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'backfill', quantity: 4 })]);

    // Assess
    expect(report.results[0]?.status).toBe('accepted');
    expect((await rig.usage.sumBucket(bucketKey())).billableQuantity).toBe(4);
  });

  it('asks Microsoft for the plans once, then answers from the catalog', async () => {
    // Prepare
    const rig = await meteringRig();

    // Act
    await rig.ingestion.ingest([wire(), wire({ subscriptionId: OTHER_SUBSCRIPTION_ID })]);
    await rig.ingestion.ingest([wire({ dimension: 'storage-gb' })]);

    // Assess
    expect(rig.planCalls).toHaveLength(1);
    expect(await rig.plans.get('contoso-analytics', 'starter')).toBeDefined();
  });

  it('asks Microsoft again when a dimension is missing from a plan learned more than 15 minutes ago', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.ingestion.ingest([wire()]);
    rig.setListedPlans([{ planId: 'starter', planComponents: { meteringDimensions: [{ id: 'api-calls' }, { id: 'storage-gb' }, { id: 'events' }] } }]);
    rig.clock.advance(16 * 60_000);

    // Act
    const report = await rig.ingestion.ingest([wire({ dimension: 'events', timestamp: '2025-03-10T10:40:00Z' })]);

    // Assess
    expect(report.results[0]?.status).toBe('accepted');
    expect(rig.planCalls).toHaveLength(2);
  });

  it('refuses an unknown dimension of a freshly learned plan without asking Microsoft again', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.ingestion.ingest([wire()]);

    // Act
    const report = await rig.ingestion.ingest([wire({ dimension: 'events' })]);

    // Assess
    expect(report.results[0]?.reason?.code).toBe('unknown-dimension');
    expect(rig.planCalls).toHaveLength(1);
  });

  it('sees a subscription activated a moment ago at once', async () => {
    // Prepare
    const rig = await meteringRig();
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, status: 'PendingFulfillmentStart' }));
    await rig.ingestion.ingest([wire()]);
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, status: 'Subscribed' }));

    // Act
    const report = await rig.ingestion.ingest([wire()]);

    // Assess
    expect(report.results[0]?.status).toBe('accepted');
    expect(buildSubscriptionRecord().status).toBe('Subscribed');
  });

  it('fails with DependencyUnavailableError when storage is unavailable, so the product retries', async () => {
    // Prepare
    const rig = await meteringRig();
    rig.usage.appendRecords = () => Promise.reject(new DependencyUnavailableError('table-storage', 'down'));

    // Act
    const ingesting = rig.ingestion.ingest([wire({ id: 'a' })]);

    // Assess
    await expect(ingesting).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('appendMode', () => {
  it.each([
    ['during the hour', '2025-03-10T10:59:59.000Z', { path: 'open', deadline: new Date('2025-03-10T11:01:30.000Z') }],
    ['just after it, within the grace minute', '2025-03-10T11:00:59.999Z', { path: 'open', deadline: new Date('2025-03-10T11:01:30.000Z') }],
    ['a minute after it', '2025-03-10T11:01:00.000Z', { path: 'closed' }],
  ])('appends %s the way its seal requires', (_case, now, expected) => {
    // Act
    const mode = appendMode('2025-03-10T10:00:00.000Z', new Date(now));

    // Assess
    expect(mode).toEqual(expected);
  });
});
