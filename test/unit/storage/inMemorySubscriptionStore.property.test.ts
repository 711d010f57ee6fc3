import fc from 'fast-check';
import { ConcurrencyConflictError } from '../../../shared/errors';
import { updateWithRetry, type SubscriptionStore } from '../../../shared/storage/subscriptionStore';
import type { SubscriptionRecord } from '../../../shared/subscription/model';
import { InMemorySubscriptionStore } from '../../fakes/inMemorySubscriptionStore';
import { buildSubscription } from './support/storageBuilders';

function appendWriter(writer: string) {
  return (current: SubscriptionRecord): SubscriptionRecord => ({
    ...current,
    allowedCustomerOperations: [...current.allowedCustomerOperations, writer],
  });
}

describe('InMemorySubscriptionStore under concurrent conditional updates', () => {
  it('never loses an acknowledged write, whatever the interleaving of reads and writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (s, retries) => {
        // Prepare: writers that retry until they succeed, and writers that try once
        const store = new InMemorySubscriptionStore();
        const { value } = await store.create(buildSubscription({ allowedCustomerOperations: [] }));
        const scheduled: Pick<SubscriptionStore, 'get' | 'update'> = {
          get: s.scheduleFunction((id: string) => store.get(id)),
          update: s.scheduleFunction((record: SubscriptionRecord, etag: string) => store.update(record, etag)),
        };
        const acknowledged: string[] = [];

        // Act
        const writes = retries.map(async (retry, index) => {
          const writer = `w${index}`;
          try {
            await updateWithRetry(scheduled, value.id, appendWriter(writer), { maxAttempts: retry ? retries.length + 1 : 1 });
            acknowledged.push(writer);
          } catch (error) {
            if (retry || !(error instanceof ConcurrencyConflictError)) throw error;
          }
        });
        await s.waitFor(Promise.all(writes));

        // Assess: exactly the acknowledged writes are in the record, each once, and every retrying writer got through
        const final = await store.get(value.id);
        expect([...(final?.value.allowedCustomerOperations ?? [])].sort()).toEqual([...acknowledged].sort());
        expect(acknowledged).toEqual(expect.arrayContaining(retries.flatMap((retry, index) => (retry ? [`w${index}`] : []))));
      }),
    );
  });

  it('accepts a write exactly when its ETag comes from the latest version, for any sequence of reads and writes', async () => {
    const step = fc.record({ client: fc.integer({ min: 0, max: 2 }), action: fc.constantFrom('read', 'write') });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        // Prepare
        const store = new InMemorySubscriptionStore();
        const created = await store.create(buildSubscription({ quantity: 0 }));
        let version = 0;
        let lastAcknowledged = 0;
        const seen = new Map<number, { etag: string; version: number }>([[0, { etag: created.etag, version: 0 }]]);

        for (const [index, { client, action }] of steps.entries()) {
          const view = seen.get(client);
          if (action === 'read' || view === undefined) {
            // Act (read)
            const read = await store.get(created.value.id);
            seen.set(client, { etag: read!.etag, version });
            continue;
          }
          // Act (write): a new quantity derived from what this client last read
          const quantity = index + 1;
          const outcome = await store.update({ ...created.value, quantity }, view.etag).then(
            (result) => ({ ok: true as const, etag: result.etag }),
            (error: unknown) => ({ ok: false as const, error }),
          );

          // Assess: accepted iff nothing was written since this client's read
          expect(outcome.ok).toBe(view.version === version);
          if (outcome.ok) {
            version += 1;
            lastAcknowledged = quantity;
            seen.set(client, { etag: outcome.etag, version });
          } else expect(outcome.error).toBeInstanceOf(ConcurrencyConflictError);
        }
        expect((await store.get(created.value.id))?.value.quantity).toBe(lastAcknowledged);
      }),
    );
  });
});
