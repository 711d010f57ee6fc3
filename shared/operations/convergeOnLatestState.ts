import type { Clock } from '../clock';
import type { MarketplaceApi, MarketplaceSubscription } from '../marketplace';
import type { ApplyEventDeps } from '../subscription/applyEvent';
import { convergeSubscription, type ConvergeOptions, type ConvergeResult } from './convergeSubscription';
import { holdSubscriptionLease, type HeldLease } from './subscriptionLease';

export interface ConvergeLatestDeps extends ApplyEventDeps {
  marketplace: Pick<MarketplaceApi, 'getSubscription'>;
  clock: Clock;
}

export type ConvergeLatestResult =
  /** Another worker holds the subscription (it reads Microsoft's state itself): try again shortly. */
  | { outcome: 'busy' }
  | { outcome: 'converged'; truth: MarketplaceSubscription; result: ConvergeResult };

/** Get Subscription, then converge on it. The caller holds the subscription's lease (given: released with the record's write). */
export async function readAndConverge(
  deps: ConvergeLatestDeps,
  subscriptionId: string,
  options: Omit<ConvergeOptions, 'at'>,
  lease?: HeldLease,
): Promise<{ truth: MarketplaceSubscription; result: ConvergeResult }> {
  const truth = await deps.marketplace.getSubscription(subscriptionId);
  const result = await convergeSubscription(deps, truth, { ...options, at: deps.clock.now().toISOString() }, { lease });
  return { truth, result };
}

/**
 * The one way a path that learns an outcome (the publisher-change tracker, activation,
 * reconciliation; operation processing does the same inside its own lease) changes a subscription:
 * under the subscription's lease, read what Microsoft reports *now* (Get Subscription) and converge
 * the record on it. Reads and writes of one subscription are thereby serialised across workers and
 * instances: a reading is written before any later reading is taken, so the record never moves
 * behind what Microsoft reported to an earlier writer. What the caller learnt (an operation's target)
 * only keys the work; it never sets a value.
 */
export async function convergeOnLatestState(
  deps: ConvergeLatestDeps,
  subscriptionId: string,
  options: Omit<ConvergeOptions, 'at'>,
): Promise<ConvergeLatestResult> {
  const held = await holdSubscriptionLease(deps, subscriptionId, (lease) => readAndConverge(deps, subscriptionId, options, lease));
  return held.busy ? { outcome: 'busy' } : { outcome: 'converged', ...held.value };
}
