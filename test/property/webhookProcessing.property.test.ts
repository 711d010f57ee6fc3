import fc from 'fast-check';
import type { OperationMessage } from '../../shared/operations/operationMessage';
import { operationMessage } from '../../shared/operations/operationMessage';
import { processOperation } from '../../shared/operations/processOperation';
import { marketplaceOperation, operationsRig, SUBSCRIPTION_ID } from '../unit/operations/operationsRig';

type Intent =
  | { kind: 'plan'; planId: string }
  | { kind: 'seats'; quantity: number }
  | { kind: 'suspend' }
  | { kind: 'reinstate' }
  | { kind: 'renew' }
  | { kind: 'unsubscribe' };

const intent: fc.Arbitrary<Intent> = fc.oneof(
  fc.constantFrom('basic', 'gold', 'platinum').map((planId) => ({ kind: 'plan' as const, planId })),
  fc.integer({ min: 1, max: 50 }).map((quantity) => ({ kind: 'seats' as const, quantity })),
  fc.constant({ kind: 'suspend' as const }),
  fc.constant({ kind: 'reinstate' as const }),
  fc.constant({ kind: 'renew' as const }),
  fc.constant({ kind: 'unsubscribe' as const }),
);

const ACTION: Record<Intent['kind'], string> = {
  plan: 'ChangePlan',
  seats: 'ChangeQuantity',
  suspend: 'Suspend',
  reinstate: 'Reinstate',
  renew: 'Renew',
  unsubscribe: 'Unsubscribe',
};

/**
 * Microsoft's side: plays the legal intents against the fake marketplace, in order, each one
 * finished (Succeeded) as if it was accepted and its webhooks are only now being delivered. Returns
 * the operations that happened. Notify-only operations sometimes have no Get Operation record.
 */
function playMarketplace(rig: ReturnType<typeof operationsRig>, intents: Intent[], hideNotifyOnly: boolean[]): OperationMessage[] {
  const truth = rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
  const messages: OperationMessage[] = [];
  intents.forEach((step, index) => {
    const status = truth.saasSubscriptionStatus;
    if (status === 'Unsubscribed') return;
    if ((step.kind === 'plan' || step.kind === 'seats' || step.kind === 'suspend' || step.kind === 'renew') && status !== 'Subscribed') return;
    if (step.kind === 'reinstate' && status !== 'Suspended') return;
    if (step.kind === 'plan') truth.planId = step.planId;
    if (step.kind === 'seats') truth.quantity = step.quantity;
    if (step.kind === 'suspend') truth.saasSubscriptionStatus = 'Suspended';
    if (step.kind === 'reinstate') truth.saasSubscriptionStatus = 'Subscribed';
    if (step.kind === 'unsubscribe') truth.saasSubscriptionStatus = 'Unsubscribed';
    if (step.kind === 'renew') {
      const start = new Date(Date.UTC(2026, 2 + index, 1)).toISOString();
      truth.term = { termUnit: 'P1M', startDate: start, endDate: new Date(Date.UTC(2026, 3 + index, 0)).toISOString() };
    }
    const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    const action = ACTION[step.kind];
    const notifyOnly = step.kind === 'suspend' || step.kind === 'renew' || step.kind === 'unsubscribe';
    if (!(notifyOnly && hideNotifyOnly[index] === true)) {
      rig.marketplace.operations.set(id, marketplaceOperation({ id, action, status: 'Succeeded', planId: truth.planId, quantity: truth.quantity }));
    }
    messages.push(operationMessage(id, SUBSCRIPTION_ID, action));
  });
  return messages;
}

describe('operation processing properties', () => {
  it('converges on the marketplace state whatever the order, repeats and concurrency of deliveries, telling the ISV each change once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(intent, { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 40, maxLength: 40 }),
        fc.infiniteStream(fc.nat()),
        async (intents, hidden, copies, batchSizes, order) => {
          // Prepare
          const rig = operationsRig();
          await rig.known({ planId: 'basic', quantity: 10 });
          const messages = playMarketplace(rig, intents, hidden);
          for (const message of messages) {
            await rig.operations.create({ id: message.operationId, subscriptionId: SUBSCRIPTION_ID, action: message.action, state: 'Queued', receivedAt: rig.clock.now().toISOString(), updatedAt: rig.clock.now().toISOString(), attempts: 0 });
          }
          const pool = messages.flatMap((message, i) => Array.from({ length: copies[i] ?? 1 }, () => message));
          const picks = order[Symbol.iterator]();

          // Act: workers take random batches and run them concurrently; re-queued messages come back.
          for (let round = 0; pool.length > 0; round += 1) {
            if (round > 500) throw new Error('processing did not settle');
            const size = Math.min(pool.length, batchSizes[round % batchSizes.length] ?? 1);
            const batch = Array.from({ length: size }, () => pool.splice((picks.next().value as number) % pool.length, 1)[0] as OperationMessage);
            const staggered = async (message: OperationMessage, ticks: number) => {
              for (let tick = 0; tick < ticks; tick += 1) await Promise.resolve();
              return processOperation(rig.deps, message, { dequeueCount: 1 });
            };
            await Promise.all(batch.map((message) => staggered(message, (picks.next().value as number) % 40)));
            pool.push(...rig.queue.messages());
            rig.queue.clear();
            rig.clock.advance(1_000);
          }

          // Assess
          const truth = rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
          const local = (await rig.local())!;
          expect(local.status).toBe(truth.saasSubscriptionStatus);
          if (truth.saasSubscriptionStatus !== 'Unsubscribed') {
            expect({ planId: local.planId, quantity: local.quantity, startDate: local.term.startDate }).toEqual({
              planId: truth.planId,
              quantity: truth.quantity,
              startDate: truth.term?.startDate,
            });
          }
          const ids = rig.isv.notified.map((event) => event.id);
          expect(new Set(ids).size).toBe(ids.length);
          // The ISV's own view, built from the notifications in order, never sees a change twice.
          const view: Record<string, unknown> = { status: 'Subscribed', planId: 'basic', quantity: 10 };
          for (const event of rig.isv.notified) {
            for (const change of event.data.changes ?? []) {
              if (!(change.field in view)) continue;
              expect(change.from).toEqual(view[change.field]);
              view[change.field] = change.to;
            }
          }
          expect(view).toEqual({ status: local.status, planId: local.planId, quantity: local.quantity });
          for (const message of messages) expect((await rig.row(message.operationId))?.state).toBe('Completed');
        },
      ),
      { numRuns: 300 },
    );
  });
});
