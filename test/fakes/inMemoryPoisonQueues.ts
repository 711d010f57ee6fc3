import type { PoisonMessage, PoisonQueueStore, ReceivedPoisonMessage } from '../../shared/operations/poisonQueue';

/** Queues in memory with visibility: received messages are hidden until deleted or released. */
export class InMemoryQueues implements PoisonQueueStore {
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
