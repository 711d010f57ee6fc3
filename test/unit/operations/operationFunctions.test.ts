import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { createListPoisonMessagesHandler } from '../../../functions/listPoisonMessages';
import { createProcessOperationHandler } from '../../../functions/processOperation';
import { createReplayPoisonMessagesHandler } from '../../../functions/replayPoisonMessages';
import { ValidationError } from '../../../shared/errors';
import { silentLogger } from '../../../shared/logging';
import type { PoisonQueueStore } from '../../../shared/operations/poisonQueue';
import { encodeQueueMessage } from '../../../shared/storage';
import { marketplaceOperation, OPERATION_ID, operationsRig, SUBSCRIPTION_ID } from './operationsRig';

function queueContext(dequeueCount: number): InvocationContext {
  return new InvocationContext({ invocationId: 'inv-1', functionName: 'processOperation', triggerMetadata: { dequeueCount, id: 'msg-1' } });
}

describe('processOperation function', () => {
  it('processes the queued operation', async () => {
    // Prepare
    const rig = operationsRig();
    await rig.known();
    rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation());
    await rig.received('ChangePlan');
    const handler = createProcessOperationHandler(() => ({ ...rig.deps, logger: () => silentLogger }));

    // Act
    await handler({ v: 1, operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan' }, queueContext(1));

    // Assess
    expect((await rig.local())?.planId).toBe('gold');
  });

  it.each([['a string', 'hello'], ['a message without an operation id', { subscriptionId: SUBSCRIPTION_ID, action: 'Suspend' }], ['an id with a slash', { operationId: 'a/b', subscriptionId: SUBSCRIPTION_ID, action: 'Suspend' }]])(
    'throws a ValidationError for %s, so that it ends in the poison queue',
    async (_name, item) => {
      // Prepare
      const rig = operationsRig();
      const handler = createProcessOperationHandler(() => ({ ...rig.deps, logger: () => silentLogger }));

      // Act
      const error = await handler(item, queueContext(1)).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ValidationError);
      expect(rig.marketplace.calls).toEqual([]);
    },
  );

  it('tells the use case which attempt this is, so that the last one marks the operation Failed', async () => {
    // Prepare
    const rig = operationsRig({ maxDequeueCount: 5 });
    await rig.known();
    rig.marketplace.fail('getOperation', new Error('boom'));
    await rig.received('ChangePlan');
    const handler = createProcessOperationHandler(() => ({ ...rig.deps, logger: () => silentLogger }));

    // Act
    await handler({ operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan' }, queueContext(5)).catch(() => undefined);

    // Assess
    expect((await rig.row())?.state).toBe('Failed');
  });
});

describe('poison admin functions', () => {
  const text = encodeQueueMessage({ v: 1, operationId: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'Suspend' });
  const store = (): PoisonQueueStore & { sent: string[] } => {
    const sent: string[] = [];
    let taken = false;
    const message = { messageId: 'm1', dequeueCount: 5, messageText: text };
    return {
      sent,
      approximateCount: () => Promise.resolve(taken ? 0 : 1),
      peek: () => Promise.resolve(taken ? [] : [message]),
      receive: () => Promise.resolve(taken ? [] : ((taken = true), [{ ...message, popReceipt: 'p' }])),
      sendRaw: (_queue, value) => Promise.resolve(void sent.push(value)),
      delete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
  };
  const context = (): InvocationContext => new InvocationContext({ invocationId: 'inv-2', functionName: 'poison' });
  const request = (method: string, queue: string, body?: string, headers: Record<string, string> = {}): HttpRequest =>
    new HttpRequest({ method, url: `http://localhost/api/ops/poison/${queue}`, params: { queue }, headers, ...(body === undefined ? {} : { body: { bytes: Buffer.from(body) } }) });

  it('lists the decoded poison messages of the operations queue', async () => {
    // Prepare
    const handler = createListPoisonMessagesHandler(() => ({ poison: store(), logger: () => silentLogger }));

    // Act
    const response = new HttpResponse(await handler(request('GET', 'operations'), context()));

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ poisonQueue: 'operations-poison', messages: [expect.objectContaining({ body: expect.objectContaining({ operationId: OPERATION_ID }) })] }));
  });

  it('answers 404 for a queue that is not the app\'s', async () => {
    // Prepare
    const handler = createListPoisonMessagesHandler(() => ({ poison: store(), logger: () => silentLogger }));

    // Act
    const response = await handler(request('GET', 'secrets'), context());

    // Assess
    expect(response.status).toBe(404);
  });

  it('replays the poison messages onto their queue', async () => {
    // Prepare
    const poison = store();
    const handler = createReplayPoisonMessagesHandler(() => ({ poison, logger: () => silentLogger }));

    // Act
    const response = new HttpResponse(await handler(request('POST', 'operations', ''), context()));

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ replayed: ['m1'] }));
    expect(poison.sent).toEqual([text]);
  });

  it.each([
    ['no body', undefined, {}],
    ['an empty JSON object without a content type', '{}', {}],
    ['a JSON body with application/json', '{"max":1}', { 'content-type': 'application/json' }],
  ])('replays with %s', async (_name, body, headers) => {
    // Prepare
    const poison = store();
    const handler = createReplayPoisonMessagesHandler(() => ({ poison, logger: () => silentLogger }));

    // Act
    const response = await handler(request('POST', 'operations', body, headers), context());

    // Assess
    expect(response.status).toBe(200);
    expect(poison.sent).toEqual([text]);
  });

  it.each([
    ['a field of the wrong type', '{"max":"all"}', {}, 400],
    ['text that is not JSON', 'not json', {}, 400],
    ['a form post (curl -d without a content type)', '{"max":1}', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ])('answers %s with %i and replays nothing', async (_name, body, headers, status) => {
    // Prepare
    const poison = store();
    const handler = createReplayPoisonMessagesHandler(() => ({ poison, logger: () => silentLogger }));

    // Act
    const response = await handler(request('POST', 'operations', body, headers), context());

    // Assess
    expect(response.status).toBe(status);
    expect(poison.sent).toEqual([]);
  });
});
