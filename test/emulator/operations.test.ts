import { api, control, eventually, getJson, type OperationJson, subscribed, useEmulatorWithReceiver } from './helpers';

describe('emulator operations API and the acknowledgement window', () => {
  const rig = useEmulatorWithReceiver();

  async function customerChangePlan(): Promise<{ id: string; operationId: string }> {
    const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });
    const fired = await control<OperationJson>(rig.env, `/subscriptions/${id}/actions`, 'POST', { action: 'ChangePlan', planId: 'professional' });
    expect(fired.status).toBe(200);
    return { id, operationId: fired.body.id };
  }

  const acknowledge = (id: string, operationId: string, body: unknown) =>
    api(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`, { method: 'PATCH', body });

  it('lists an InProgress customer change as outstanding and fires the ChangePlan webhook with the old plan in subscription', async () => {
    // Prepare
    const { id, operationId } = await customerChangePlan();

    // Act
    const outstanding = await getJson<{ operations: OperationJson[] }>(rig.env, `/saas/subscriptions/${id}/operations`);
    const [call] = await rig.receiver.waitFor(1);

    // Assess
    expect(outstanding.operations).toEqual([expect.objectContaining({ id: operationId, status: 'InProgress', action: 'ChangePlan', planId: 'professional' })]);
    expect(call?.body).toMatchObject({
      id: operationId,
      activityId: operationId,
      action: 'ChangePlan',
      status: 'InProgress',
      planId: 'professional',
      operationRequestSource: 'Azure',
      purchaseToken: null,
      subscription: { id, planId: 'starter', saasSubscriptionStatus: 'Subscribed' },
    });
  });

  it('applies the change when the publisher PATCHes Success inside the window', async () => {
    // Prepare
    const { id, operationId } = await customerChangePlan();

    // Act
    const response = await acknowledge(id, operationId, { status: 'Success' });

    // Assess
    expect(response.status).toBe(200);
    expect(await getJson(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`)).toMatchObject({ status: 'Succeeded' });
    expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ planId: 'professional' });
    expect(await getJson(rig.env, `/saas/subscriptions/${id}/operations`)).toEqual({ operations: [] });
  });

  it('fails the operation and keeps the old plan when the publisher PATCHes Failure', async () => {
    // Prepare
    const { id, operationId } = await customerChangePlan();

    // Act
    await acknowledge(id, operationId, { status: 'Failure' });

    // Assess
    expect(await getJson(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`)).toMatchObject({ status: 'Failed' });
    expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ planId: 'starter' });
  });

  it('accepts an unanswered change automatically once the window has passed, not before', async () => {
    // Prepare
    const { id, operationId } = await customerChangePlan();

    // Act
    await control(rig.env, '/clock', 'POST', { advanceMs: 9_999 });
    const before = await getJson<OperationJson>(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`);
    await control(rig.env, '/clock', 'POST', { advanceMs: 1 });
    const after = await getJson<OperationJson>(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`);

    // Assess
    expect(before.status).toBe('InProgress');
    expect(after.status).toBe('Succeeded');
    expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ planId: 'professional' });
  });

  it('rejects the change when the webhook answers 4xx inside the window', async () => {
    // Prepare
    rig.receiver.respond = () => 400;

    // Act
    const { id, operationId } = await customerChangePlan();
    const final = await eventually(async () => {
      const operation = await getJson<OperationJson>(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`);
      return operation.status !== 'InProgress' && operation;
    }, 'the operation to settle');

    // Assess
    expect(final).toMatchObject({ status: 'Failed', errorStatusCode: '400' });
    expect(rig.env.emulator.state.deliveries.find((delivery) => delivery.operationId === operationId)?.status).toBe('rejected');
    expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ planId: 'starter' });
  });

  it('answers 409 to a PATCH on a finished operation and 400 to a bad body', async () => {
    // Prepare
    const { id, operationId } = await customerChangePlan();
    await acknowledge(id, operationId, { status: 'Success' });

    // Act
    const finished = await acknowledge(id, operationId, { status: 'Failure' });
    const { id: other, operationId: pending } = await customerChangePlan();
    const badStatus = await acknowledge(other, pending, { status: 'Succeeded' });
    const noBody = await api(rig.env, `/saas/subscriptions/${other}/operations/${pending}`, { method: 'PATCH' });

    // Assess
    expect(finished.status).toBe(409);
    expect(badStatus.status).toBe(400);
    expect(noBody.status).toBe(400);
  });

  it('answers 404 for an unknown operation or an operation of another subscription', async () => {
    // Prepare
    const { operationId } = await customerChangePlan();
    const other = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    const unknown = await api(rig.env, `/saas/subscriptions/${other}/operations/00000000-0000-4000-8000-000000000000`);
    const foreign = await api(rig.env, `/saas/subscriptions/${other}/operations/${operationId}`);

    // Assess
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
  });

  it('runs a publisher plan change NotStarted → InProgress with a Partner webhook → Succeeded', async () => {
    // Prepare
    const id = await subscribed(rig.env, { offerId: 'contoso-seats', planId: 'team', quantity: 5 });
    const accepted = await api(rig.env, `/saas/subscriptions/${id}`, { method: 'PATCH', body: { quantity: 8 } });
    const operationId = accepted.headers.get('operation-id') ?? '';

    // Act
    const notStarted = await getJson<OperationJson>(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`);
    await control(rig.env, '/clock', 'POST', { advanceMs: 1_000 });
    const inProgress = await getJson<OperationJson>(rig.env, `/saas/subscriptions/${id}/operations/${operationId}`);
    const [call] = await rig.receiver.waitFor(1);
    await acknowledge(id, operationId, { status: 'Success' });

    // Assess
    expect(notStarted.status).toBe('NotStarted');
    expect(inProgress.status).toBe('InProgress');
    expect(call?.body).toMatchObject({ action: 'ChangeQuantity', quantity: 8, operationRequestSource: 'Partner', subscription: { quantity: 5 } });
    expect(await getJson(rig.env, `/saas/subscriptions/${id}`)).toMatchObject({ quantity: 8 });
  });

  it('cancels on publisher DELETE and sends a Succeeded Unsubscribe webhook', async () => {
    // Prepare
    const id = await subscribed(rig.env, { offerId: 'contoso-analytics', planId: 'starter' });
    const accepted = await api(rig.env, `/saas/subscriptions/${id}`, { method: 'DELETE' });

    // Act
    await control(rig.env, '/clock', 'POST', { advanceMs: 1_000 });
    const [call] = await rig.receiver.waitFor(1);

    // Assess
    expect(await getJson(rig.env, `/saas/subscriptions/${id}/operations/${accepted.headers.get('operation-id') ?? ''}`)).toMatchObject({ status: 'Succeeded', action: 'Unsubscribe' });
    expect(call?.body).toMatchObject({ action: 'Unsubscribe', status: 'Succeeded', operationRequestSource: 'Partner', subscription: { saasSubscriptionStatus: 'Unsubscribed' } });
  });

  it('refuses a second change while one is outstanding (409)', async () => {
    // Prepare
    const { id } = await customerChangePlan();

    // Act
    const second = await api(rig.env, `/saas/subscriptions/${id}`, { method: 'PATCH', body: { planId: 'enterprise-3y' } });

    // Assess
    expect(second.status).toBe(409);
  });
});
