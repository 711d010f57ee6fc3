import { buildOperationBody, OPERATION_ID, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { MarketplaceApiError } from '../../../shared/marketplace/errors';

describe('marketplace client: operations', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('lists outstanding operations', async () => {
    // Prepare
    rig.server.reply({ body: { operations: [buildOperationBody({ status: 'InProgress' })] } });

    // Act
    const operations = await rig.client.listOutstandingOperations(SUBSCRIPTION_ID);

    // Assess
    expect(rig.server.requests[0]).toMatchObject({
      method: 'GET',
      path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/operations`,
      query: { 'api-version': '2018-08-31' },
    });
    expect(operations).toEqual([expect.objectContaining({ id: OPERATION_ID, status: 'InProgress', action: 'ChangePlan' })]);
  });

  it.each([
    ['an empty body', undefined],
    ['an empty object', {}],
  ])('returns no outstanding operations for %s', async (_name, body) => {
    // Prepare
    rig.server.reply({ body });

    // Act
    const operations = await rig.client.listOutstandingOperations(SUBSCRIPTION_ID);

    // Assess
    expect(operations).toEqual([]);
  });

  it('gets one operation', async () => {
    // Prepare
    rig.server.reply({ body: buildOperationBody() });

    // Act
    const operation = await rig.client.getOperation(SUBSCRIPTION_ID, OPERATION_ID);

    // Assess
    expect(rig.server.requests[0]).toMatchObject({ method: 'GET', path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/operations/${OPERATION_ID}` });
    expect(operation).toMatchObject({ id: OPERATION_ID, status: 'NotStarted', planId: 'gold', operationRequestSource: 'Partner' });
  });

  it('follows an allow-listed Operation-Location verbatim', async () => {
    // Prepare
    rig.server.reply({ body: buildOperationBody({ status: 'Succeeded' }) });
    const location = `${rig.server.baseUrl}/saas/subscriptions/${SUBSCRIPTION_ID}/operations/${OPERATION_ID}?api-version=2018-08-31`;

    // Act
    const operation = await rig.client.getOperationByLocation(location);

    // Assess
    expect(rig.server.requests[0]).toMatchObject({
      method: 'GET',
      path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/operations/${OPERATION_ID}`,
      query: { 'api-version': '2018-08-31' },
    });
    expect(rig.server.requests[0]!.headers.authorization).toBe('Bearer fake-bearer-token');
    expect(operation.status).toBe('Succeeded');
  });

  it.each(['Success', 'Failure'] as const)('acknowledges an operation with exactly { status: %s }', async (status) => {
    // Prepare
    rig.server.reply({ status: 200 });

    // Act
    await rig.client.updateOperation(SUBSCRIPTION_ID, OPERATION_ID, status);

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'PATCH', path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/operations/${OPERATION_ID}` });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe(JSON.stringify({ status }));
  });

  it('surfaces a 409 on an already finished operation as a MarketplaceApiError with status 409, without retrying', async () => {
    // Prepare
    rig.server.reply({ status: 409, body: { error: { code: 'Conflict', message: 'Operation already completed' } } });

    // Act
    const result = rig.client.updateOperation(SUBSCRIPTION_ID, OPERATION_ID, 'Success');

    // Assess
    await expect(result).rejects.toBeInstanceOf(MarketplaceApiError);
    await expect(result).rejects.toMatchObject({ status: 409, serviceCode: 'Conflict', kind: 'http' });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('refuses an acknowledgement other than Success or Failure', async () => {
    // Prepare
    const status = 'Succeeded' as 'Success';

    // Act
    const result = rig.client.updateOperation(SUBSCRIPTION_ID, OPERATION_ID, status);

    // Assess
    await expect(result).rejects.toBeInstanceOf(TypeError);
    expect(rig.server.requests).toHaveLength(0);
  });
});
