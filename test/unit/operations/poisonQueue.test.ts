import { NotFoundError } from '../../../shared/errors';
import {
  decodePoisonText,
  listPoisonMessages,
  replayPoisonMessages,
  replayRequestSchema,
  type PoisonMessage,
  type PoisonQueueStore,
  type ReceivedPoisonMessage,
} from '../../../shared/operations/poisonQueue';
import { encodeQueueMessage } from '../../../shared/storage';

/** Queues in memory with visibility: received messages are hidden until deleted or released. */
class InMemoryQueues implements PoisonQueueStore {
  readonly queues = new Map<string, Array<PoisonMessage & { hidden: boolean; popReceipt: string }>>();
  private next = 0;

  put(queue: string, text: string): string {
    const messageId = `m${(this.next += 1)}`;
    const list = this.queues.get(queue) ?? [];
    list.push({ messageId, dequeueCount: 5, messageText: text, insertedOn: '2026-03-02T12:00:00.000Z', hidden: false, popReceipt: '' });
    this.queues.set(queue, list);
    return messageId;
  }

  texts(queue: string): string[] {
    return (this.queues.get(queue) ?? []).map((m) => m.messageText);
  }

  approximateCount(queue: string) {
    return Promise.resolve(this.queues.get(queue)?.length ?? 0);
  }

  peek(queue: string, max: number) {
    const visible = (this.queues.get(queue) ?? []).filter((m) => !m.hidden).slice(0, max);
    return Promise.resolve(visible.map(({ messageId, dequeueCount, messageText, insertedOn }) => ({ messageId, dequeueCount, messageText, insertedOn })));
  }

  receive(queue: string, max: number): Promise<ReceivedPoisonMessage[]> {
    const visible = (this.queues.get(queue) ?? []).filter((m) => !m.hidden).slice(0, max);
    for (const m of visible) {
      m.hidden = true;
      m.popReceipt = `pop-${m.messageId}`;
    }
    return Promise.resolve(visible.map(({ messageId, dequeueCount, messageText, popReceipt }) => ({ messageId, dequeueCount, messageText, popReceipt })));
  }

  sendRaw(queue: string, text: string) {
    this.put(queue, text);
    return Promise.resolve();
  }

  delete(queue: string, message: ReceivedPoisonMessage) {
    this.queues.set(queue, (this.queues.get(queue) ?? []).filter((m) => m.messageId !== message.messageId));
    return Promise.resolve();
  }

  release(queue: string, message: ReceivedPoisonMessage) {
    const found = this.queues.get(queue)?.find((m) => m.messageId === message.messageId);
    if (found) found.hidden = false;
    return Promise.resolve();
  }
}

const op = (n: number): string => encodeQueueMessage({ v: 1, operationId: `op-${n}`, subscriptionId: 'sub-1', action: 'Suspend' });

describe('poison queue use cases', () => {
  it('lists the poison messages of a queue, decoded, and leaves them in place', async () => {
    // Prepare
    const store = new InMemoryQueues();
    store.put('operations-poison', op(1));
    store.put('operations-poison', '%%not base64%%');

    // Act
    const listing = await listPoisonMessages(store, 'operations');

    // Assess
    expect(listing).toEqual({
      queue: 'operations',
      poisonQueue: 'operations-poison',
      approximateCount: 2,
      messages: [
        expect.objectContaining({ messageId: 'm1', dequeueCount: 5, body: { v: 1, operationId: 'op-1', subscriptionId: 'sub-1', action: 'Suspend' } }),
        expect.objectContaining({ messageId: 'm2', undecodable: true, text: '%%not base64%%' }),
      ],
    });
    expect(store.texts('operations-poison')).toHaveLength(2);
  });

  it('refuses queues that are not the app\'s (404)', async () => {
    // Prepare
    const store = new InMemoryQueues();

    // Act
    const error = await listPoisonMessages(store, 'someone-elses').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('replays every poison message, as it was, back onto its queue', async () => {
    // Prepare
    const store = new InMemoryQueues();
    store.put('operations-poison', op(1));
    store.put('operations-poison', op(2));

    // Act
    const result = await replayPoisonMessages(store, 'operations', {});

    // Assess
    expect(result).toEqual({ queue: 'operations', poisonQueue: 'operations-poison', replayed: ['m1', 'm2'], notFound: [] });
    expect(store.texts('operations')).toEqual([op(1), op(2)]);
    expect(store.texts('operations-poison')).toEqual([]);
  });

  it('replays only the messages asked for, and puts the others back in view', async () => {
    // Prepare
    const store = new InMemoryQueues();
    store.put('operations-poison', op(1));
    const wanted = store.put('operations-poison', op(2));
    store.put('operations-poison', op(3));

    // Act
    const result = await replayPoisonMessages(store, 'operations', { messageIds: [wanted, 'm-missing'] });

    // Assess
    expect(result.replayed).toEqual([wanted]);
    expect(result.notFound).toEqual(['m-missing']);
    expect(store.texts('operations')).toEqual([op(2)]);
    expect((await store.peek('operations-poison', 32)).map((m) => m.messageText)).toEqual([op(1), op(3)]);
  });

  it('replays at most `max` messages', async () => {
    // Prepare
    const store = new InMemoryQueues();
    for (let i = 0; i < 5; i += 1) store.put('operations-poison', op(i));

    // Act
    const result = await replayPoisonMessages(store, 'operations', { max: 2 });

    // Assess
    expect(result.replayed).toHaveLength(2);
    expect(store.texts('operations-poison')).toHaveLength(3);
    expect((await store.peek('operations-poison', 32))).toHaveLength(3);
  });

  it.each([
    ['nothing', {}, {}],
    ['ids', { messageIds: ['a', 'b'] }, { messageIds: ['a', 'b'] }],
    ['a maximum', { max: 3 }, { max: 3 }],
  ])('reads a replay request with %s', (_name, body, expected) => {
    // Act
    const request = replayRequestSchema.parse(body);

    // Assess
    expect(request).toEqual(expected);
  });

  it.each([{ max: 0 }, { messageIds: [] }, { unknown: 1 }])('refuses the replay request %j', (body) => {
    // Act
    const result = replayRequestSchema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });

  it('decodes only real base64 JSON', () => {
    // Prepare
    const texts = [op(1), Buffer.from('not json').toString('base64'), 'abc$'];

    // Act
    const decoded = texts.map(decodePoisonText);

    // Assess
    expect(decoded.map((d) => 'body' in d)).toEqual([true, false, false]);
  });
});
