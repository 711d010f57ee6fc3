import { api, control, purchase, startEmulator, subscribed, type TestEmulator } from './helpers';

const HOUR_MS = 3_600_000;

describe('emulator metering API', () => {
  let env: TestEmulator;
  let metered: string;

  beforeAll(async () => {
    env = await startEmulator();
  });

  afterAll(async () => {
    await env.emulator.stop();
  });

  beforeEach(async () => {
    env.emulator.reset();
    metered = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
  });

  const hoursAgo = (hours: number): string => new Date(Date.parse('2025-03-10T12:00:00Z') - hours * HOUR_MS).toISOString();
  const event = (overrides: Record<string, unknown> = {}) => ({
    resourceId: metered,
    quantity: 5,
    dimension: 'api-calls',
    effectiveStartTime: hoursAgo(1),
    planId: 'starter',
    ...overrides,
  });
  const post = (body: unknown) => api(env, '/usageEvent', { method: 'POST', body });
  const batch = (events: unknown[]) => api(env, '/batchUsageEvent', { method: 'POST', body: { request: events } });

  it('accepts a usage event and echoes it with a usageEventId', async () => {
    // Act
    const response = await post(event());

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ usageEventId: expect.any(String), status: 'Accepted', resourceId: metered, quantity: 5, dimension: 'api-calls', planId: 'starter' });
  });

  it('answers 409 with the original accepted message for a second event in the same hour and dimension', async () => {
    // Prepare
    const first = await (await post(event({ effectiveStartTime: '2025-03-10T10:05:00Z' }))).json();

    // Act
    const duplicate = await post(event({ effectiveStartTime: '2025-03-10T10:55:00Z', quantity: 9 }));
    const otherDimension = await post(event({ effectiveStartTime: '2025-03-10T10:55:00Z', dimension: 'storage-gb' }));
    const nextHour = await post(event({ effectiveStartTime: '2025-03-10T11:00:00Z' }));

    // Assess
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toEqual({
      additionalInfo: { acceptedMessage: expect.objectContaining({ usageEventId: first.usageEventId, status: 'Duplicate', quantity: 5 }) },
      message: 'This usage event already exist.',
      code: 'Conflict',
    });
    expect(otherDimension.status).toBe(200);
    expect(nextHour.status).toBe(200);
  });

  it.each([
    ['older than 24 hours', { effectiveStartTime: hoursAgo(24.5) }, 'Expired'],
    ['in the future', { effectiveStartTime: hoursAgo(-1) }, 'Expired'],
    ['a quantity of 0', { quantity: 0 }, 'InvalidQuantity'],
    ['an unknown dimension', { dimension: 'gpu-hours' }, 'InvalidDimension'],
    ['an unknown resource', { resourceId: '00000000-0000-4000-8000-000000000000' }, 'ResourceNotFound'],
    ['no resourceId', { resourceId: undefined }, 'BadArgument'],
  ])('answers 400 for an event %s', async (_label, overrides, code) => {
    // Act
    const response = await post(event(overrides));

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code, message: expect.any(String), target: expect.any(String), details: expect.any(Array) });
  });

  it('reports per-event statuses in a mixed batch', async () => {
    // Prepare
    const pending = (await purchase(env, { offerId: 'contoso-analytics', planId: 'starter' })).subscriptionId;
    const suspended = await subscribed(env, { offerId: 'contoso-analytics', planId: 'starter' });
    await control(env, `/subscriptions/${suspended}/actions`, 'POST', { action: 'Suspend' });

    // Act
    const response = await batch([
      event(),
      event({ quantity: 7 }),
      event({ effectiveStartTime: hoursAgo(30) }),
      event({ resourceId: pending }),
      event({ resourceId: suspended }),
      event({ dimension: 'nope' }),
      event({ quantity: -1 }),
      event({ resourceId: '00000000-0000-4000-8000-000000000000' }),
      { quantity: 1 },
    ]);

    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as { count: number; result: { status: string; usageEventId?: string; error?: { additionalInfo?: { acceptedMessage?: { usageEventId: string } } } }[] };
    expect(body.count).toBe(9);
    expect(body.result.map((item) => item.status)).toEqual([
      'Accepted',
      'Duplicate',
      'Expired',
      'ResourceNotActive',
      'ResourceNotActive',
      'InvalidDimension',
      'InvalidQuantity',
      'ResourceNotFound',
      'BadArgument',
    ]);
    expect(body.result[1]?.error?.additionalInfo?.acceptedMessage?.usageEventId).toBe(body.result[0]?.usageEventId);
  });

  it.each([
    ['more than 25 events', 26],
    ['no events', 0],
  ])('answers 400 to a batch with %s', async (_label, count) => {
    // Act
    const response = await batch(Array.from({ length: count }, (_, i) => event({ effectiveStartTime: hoursAgo(i % 23) })));

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'BadArgument' });
  });

  it('reads accepted usage back per day and dimension, requiring usageStartDate', async () => {
    // Prepare
    await post(event({ effectiveStartTime: '2025-03-10T09:00:00Z', quantity: 2 }));
    await post(event({ effectiveStartTime: '2025-03-10T10:00:00Z', quantity: 3 }));
    await post(event({ effectiveStartTime: '2025-03-10T10:00:00Z', dimension: 'storage-gb', quantity: 4 }));

    // Act
    const missing = await api(env, '/usageEvents');
    const rows = await (await api(env, '/usageEvents?usageStartDate=2025-03-10&dimension=api-calls')).json();

    // Assess
    expect(missing.status).toBe(400);
    expect(rows).toEqual([
      expect.objectContaining({ usageResourceId: metered, dimension: 'api-calls', offerType: 'SaaS', submittedQuantity: 5, processedQuantity: 5, submittedCount: 2 }),
    ]);
  });

  it('accepts usage from before a cancellation but not after it', async () => {
    // Prepare
    await control(env, `/subscriptions/${metered}/actions`, 'POST', { action: 'Unsubscribe' });
    await control(env, '/clock', 'POST', { advanceMs: 2 * HOUR_MS });

    // Act
    const before = await post(event({ effectiveStartTime: hoursAgo(1) }));
    const after = await post(event({ effectiveStartTime: '2025-03-10T13:00:00Z' }));

    // Assess
    expect(before.status).toBe(200);
    expect(after.status).toBe(400);
    expect(await after.json()).toMatchObject({ code: 'ResourceNotActive' });
  });

  it('requires the bearer token and api-version like the fulfillment API', async () => {
    // Act
    const anonymous = await api(env, '/usageEvent', { method: 'POST', body: event(), token: null });
    const unversioned = await api(env, '/usageEvent', { method: 'POST', body: event(), noApiVersion: true });

    // Assess
    expect(anonymous.status).toBe(403);
    expect(unversioned.status).toBe(400);
  });
});
