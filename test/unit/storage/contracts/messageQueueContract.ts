import type { MessageQueue } from '../../../../shared/storage/messageQueue';

export interface QueueUnderTest {
  queue: MessageQueue<unknown>;
  /** What a consumer (the queue trigger) would get: every message decoded, oldest first. */
  readBack(): Promise<unknown[]>;
}

/** The behaviour every MessageQueue must have; run against the recording fake and against Azurite. */
export function describeMessageQueueContract(name: string, createQueue: () => Promise<QueueUnderTest>): void {
  describe(`MessageQueue contract (${name})`, () => {
    it('delivers JSON messages as sent, in order', async () => {
      // Prepare
      const { queue, readBack } = await createQueue();
      const messages = [
        { type: 'activate', subscriptionId: 'a1', attempt: 1, flags: [true, false, null] },
        { type: 'note', text: 'Grüße – 日本語 – emoji 🎉 and <xml> & "quotes"' },
        'a bare string',
        42,
      ];

      // Act
      for (const message of messages) await queue.send(message);

      // Assess
      expect(await readBack()).toEqual(messages);
    });

    it('sends the JSON form of a value: dates become ISO strings, undefined properties disappear', async () => {
      // Prepare
      const { queue, readBack } = await createQueue();

      // Act
      await queue.send({ at: new Date('2026-01-02T03:04:05.006Z'), missing: undefined, kept: 1 });

      // Assess
      expect(await readBack()).toStrictEqual([{ at: '2026-01-02T03:04:05.006Z', kept: 1 }]);
    });

    it('refuses undefined with TypeError and a message over 64 KiB once encoded with RangeError, sending nothing', async () => {
      // Prepare
      const { queue, readBack } = await createQueue();

      // Act
      const results = await Promise.allSettled([queue.send(undefined), queue.send({ blob: 'x'.repeat(50_000) })]);

      // Assess
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.status))).toEqual([TypeError, RangeError]);
      expect(await readBack()).toEqual([]);
    });

    it('accepts a message just under the limit', async () => {
      // Prepare
      const { queue, readBack } = await createQueue();
      const message = { blob: 'y'.repeat(48_000) };

      // Act
      await queue.send(message);

      // Assess
      expect(await readBack()).toEqual([message]);
    });

    it.each([
      [{ visibilityDelaySeconds: -1 }],
      [{ visibilityDelaySeconds: 604_801 }],
      [{ timeToLiveSeconds: 0 }],
      [{ visibilityDelaySeconds: 60, timeToLiveSeconds: 60 }],
    ])('refuses the options %j with RangeError', async (options) => {
      // Prepare
      const { queue } = await createQueue();

      // Act
      const send = queue.send({ ok: true }, options);

      // Assess
      await expect(send).rejects.toBeInstanceOf(RangeError);
    });
  });
}
