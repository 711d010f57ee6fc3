import fc from 'fast-check';
import type { MarketplaceOperation } from '../../shared/marketplace';
import { operationMessage, type OperationMessage } from '../../shared/operations/operationMessage';
import { processOperation } from '../../shared/operations/processOperation';
import { trackPublisherOperation, type TrackingMessage, type TrackOperationDeps } from '../../shared/publisherOperations';
import { PUBLISHER_SOURCE, writeDetails } from '../../shared/publisherOperations/publisherRequest';
import { RecordingQueue } from '../fakes/recordingQueue';
import { marketplaceOperation, operationsRig, SUBSCRIPTION_ID } from '../unit/operations/operationsRig';

/**
 * #13 item 7: whatever path learns an outcome (operation processing after a webhook, the
 * publisher-change tracker's poll), the record must end on Microsoft's latest state without
 * reconciliation, under any interleaving of publisher changes, marketplace changes, polls and
 * (repeated) deliveries, with every Marketplace response and every step's start interleaved by
 * fast-check's scheduler (a Get Subscription answer may arrive after newer changes were made).
 */

type Step =
  | { kind: 'publisher'; field: 'plan' | 'seats'; value: number }
  | { kind: 'marketplace'; change: 'plan' | 'seats' | 'suspend' | 'reinstate' | 'unsubscribe'; value: number; needsAck: boolean }
  | { kind: 'deliver'; pick: number }
  | { kind: 'poll'; pick: number };

const PLANS = ['basic', 'gold', 'platinum'];

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('publisher' as const), field: fc.constantFrom('plan' as const, 'seats' as const), value: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('marketplace' as const),
    change: fc.constantFrom('plan' as const, 'seats' as const, 'seats' as const, 'suspend' as const, 'reinstate' as const, 'unsubscribe' as const),
    value: fc.integer({ min: 1, max: 40 }),
    needsAck: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('poll' as const), pick: fc.nat() }),
);

const ACTION = { plan: 'ChangePlan', seats: 'ChangeQuantity', suspend: 'Suspend', reinstate: 'Reinstate', unsubscribe: 'Unsubscribe' } as const;
const LOCATION = 'http://127.0.0.1:7072/api/saas/subscriptions/sub/operations/';

function world(scheduler: fc.Scheduler) {
  const rig = operationsRig();
  const truth = () => rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
  const trackingQueue = new RecordingQueue<TrackingMessage>('publisher-operations');
  const fake = rig.marketplace;
  // Every answer from Microsoft is taken when asked and delivered when the scheduler says so.
  const marketplace = {
    getOperation: scheduler.scheduleFunction(fake.getOperation.bind(fake)),
    getSubscription: scheduler.scheduleFunction(fake.getSubscription.bind(fake)),
    updateOperation: scheduler.scheduleFunction(fake.updateOperation.bind(fake)),
    deleteSubscription: scheduler.scheduleFunction(fake.deleteSubscription.bind(fake)),
    getOperationByLocation: scheduler.scheduleFunction((location: string) => fake.getOperation(SUBSCRIPTION_ID, location.slice(LOCATION.length))),
  };
  const processDeps = { ...rig.deps, marketplace };
  const trackDeps: TrackOperationDeps = { ...rig, logger: rig.deps.logger, marketplace, queue: trackingQueue, settings: { pollMaxDelaySeconds: 60, timeoutMs: 3_600_000 } };
  const webhooks: OperationMessage[] = [];
  const polls: TrackingMessage[] = [];
  let count = 0;

  const newOperation = (action: string, init: Partial<MarketplaceOperation>, source: 'Azure' | 'Partner'): string => {
    count += 1;
    const id = `00000000-0000-4000-8000-${String(count).padStart(12, '0')}`;
    rig.marketplace.operations.set(id, marketplaceOperation({ id, action, operationRequestSource: source, ...init }));
    return id;
  };

  /** Microsoft applies a change now; its webhook (and, for ours, the tracker's poll) come later. */
  const act = async (s: Step): Promise<void> => {
    const sub = truth();
    const at = rig.clock.now().toISOString();
    if (s.kind === 'publisher') {
      if (sub.saasSubscriptionStatus !== 'Subscribed') return;
      const action = s.field === 'plan' ? 'ChangePlan' : 'ChangeQuantity';
      const planId = s.field === 'plan' ? PLANS[s.value % PLANS.length]! : sub.planId;
      const quantity = s.field === 'seats' ? s.value : sub.quantity;
      const id = newOperation(action, { status: 'Succeeded', planId, quantity }, 'Partner');
      if (s.field === 'plan') sub.planId = planId;
      else sub.quantity = quantity;
      const requestId = `request-${count}`;
      await rig.operations.create({
        id: requestId,
        subscriptionId: SUBSCRIPTION_ID,
        action,
        source: PUBLISHER_SOURCE,
        state: 'Queued',
        receivedAt: at,
        updatedAt: at,
        attempts: 0,
        ...(s.field === 'plan' ? { planId } : { quantity }),
        payload: writeDetails({ operationId: id, operationLocation: `${LOCATION}${id}` }),
      });
      polls.push({ v: 1, requestId, subscriptionId: SUBSCRIPTION_ID, operationId: id, operationLocation: `${LOCATION}${id}`, action, delaySeconds: 10 });
      await received(id, action, at);
      return;
    }
    if (s.kind !== 'marketplace') return;
    const status = sub.saasSubscriptionStatus;
    const open = [...rig.marketplace.operations.values()].some((op) => op.status === 'InProgress');
    if (status === 'Unsubscribed' || open) return;
    if ((s.change === 'plan' || s.change === 'seats' || s.change === 'suspend') && status !== 'Subscribed') return;
    if (s.change === 'reinstate' && status !== 'Suspended') return;
    const action = ACTION[s.change];
    const acknowledged = s.needsAck && action !== 'Suspend' && action !== 'Unsubscribe';
    const planId = s.change === 'plan' ? PLANS[s.value % PLANS.length]! : sub.planId;
    const quantity = s.change === 'seats' ? s.value : sub.quantity;
    const id = newOperation(action, { status: acknowledged ? 'InProgress' : 'Succeeded', planId, quantity }, 'Azure');
    if (!acknowledged) {
      // Already accepted (or notify-only): Microsoft's state moves now.
      rig.marketplace.complete(id);
      if (s.change === 'suspend') sub.saasSubscriptionStatus = 'Suspended';
      if (s.change === 'unsubscribe') sub.saasSubscriptionStatus = 'Unsubscribed';
    }
    await received(id, action, at);
  };

  const received = async (id: string, action: string, at: string): Promise<void> => {
    await rig.operations.create({ id, subscriptionId: SUBSCRIPTION_ID, action, state: 'Queued', receivedAt: at, updatedAt: at, attempts: 0 });
    webhooks.push(operationMessage(id, SUBSCRIPTION_ID, action));
  };

  const deliver = (message: OperationMessage) => processOperation(processDeps, message, { dequeueCount: 1 });
  const poll = (message: TrackingMessage) => trackPublisherOperation(trackDeps, message);

  /** Puts back what the paths re-queued (busy, waiting), for the next round. */
  const collect = (): void => {
    webhooks.push(...rig.queue.messages());
    rig.queue.clear();
    polls.push(...trackingQueue.messages());
    trackingQueue.sent.length = 0;
  };

  return { rig, truth, act, deliver, poll, webhooks, polls, collect };
}

describe('convergence on Microsoft\'s latest state', () => {
  it('ends on what Microsoft reports, whatever the interleaving of changes, polls and deliveries, without reconciliation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(step, { minLength: 1, maxLength: 14 }), async (scheduler, steps) => {
        // Prepare
        const w = world(scheduler);
        await w.rig.known({ planId: 'basic', quantity: 10 });

        // Act: every step starts when the scheduler lets it; deliveries and polls take what is pending then (a copy stays: repeats).
        const running = steps.map(async (s) => {
          await scheduler.schedule(Promise.resolve(s.kind));
          if (s.kind === 'deliver') {
            const message = w.webhooks[s.pick % Math.max(1, w.webhooks.length)];
            if (message !== undefined) await w.deliver(message);
          } else if (s.kind === 'poll') {
            const message = w.polls.length === 0 ? undefined : w.polls.splice(s.pick % w.polls.length, 1)[0];
            if (message !== undefined) await w.poll(message);
          } else {
            await w.act(s);
          }
        });
        await scheduler.waitFor(Promise.all(running));
        // Then every webhook is delivered (again) and every poll runs, concurrently, until nothing comes back.
        for (let round = 0; ; round += 1) {
          w.collect();
          if (w.webhooks.length + w.polls.length === 0) break;
          if (round > 50) throw new Error('processing did not settle');
          const webhooks = w.webhooks.splice(0);
          const polls = w.polls.splice(0);
          const work = [...webhooks.map((m) => w.deliver(m)), ...polls.map((m) => w.poll(m))];
          await scheduler.waitFor(Promise.all(work));
        }

        // Assess
        const truth = w.truth();
        const local = (await w.rig.local())!;
        expect({ status: local.status, planId: local.planId, quantity: local.quantity }).toEqual({
          status: truth.saasSubscriptionStatus,
          planId: truth.planId,
          quantity: truth.quantity,
        });
        const ids = w.rig.isv.notified.map((event) => event.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 250 },
    );
    // 250 runs take 4 s alone and up to a minute on a loaded two-core machine.
  }, 180_000);
});
