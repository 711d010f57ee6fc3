import type { Clock } from '../clock';
import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError, toError } from '../errors';
import type { LifecycleNotifier, ProvisioningHook } from '../isv/hooks';
import { redactText, type Logger } from '../logging';
import { MarketplaceApiError, type MarketplaceApi, type MarketplaceSubscription } from '../marketplace';
import { readAndConverge } from '../operations/convergeOnLatestState';
import { holdSubscriptionLease } from '../operations/subscriptionLease';
import type { HistoryStore, OperationLedger, SubscriptionStore } from '../storage';
import { recordFromMarketplace } from '../subscription/fromMarketplace';
import type { SubscriptionRecord } from '../subscription/model';
import type { ActivationMessage } from './activationMessage';

/** `lastError.code` after an attempt failed and the queue will try again. */
export const ACTIVATION_ATTEMPT_FAILED = 'ActivationAttemptFailed';
/** `lastError.code` after the last attempt failed: the message is in the poison queue, a person must act. */
export const ACTIVATION_FAILED = 'ActivationFailed';
const ACTIVATION_ERROR_CODES: ReadonlySet<string> = new Set([ACTIVATION_ATTEMPT_FAILED, ACTIVATION_FAILED]);
const MAX_ERROR_MESSAGE_LENGTH = 500;

export interface ActivateSubscriptionDeps {
  marketplace: Pick<MarketplaceApi, 'getSubscription' | 'activate'>;
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  /** The operation ledger, which holds the per-subscription leases. */
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
  isv: ProvisioningHook & LifecycleNotifier;
  clock: Clock;
  logger: Logger;
}

/** Which delivery of the message this is: `attempt` is the queue's dequeueCount (0 for an admin run). */
export interface DeliveryAttempt {
  attempt: number;
  maxAttempts: number;
}

export type ActivationOutcome =
  /** Provisioned and activated now. */
  | { outcome: 'activated' }
  /** The marketplace already had it Subscribed (a retry or a duplicate): only the local record moved. */
  | { outcome: 'alreadyActive' }
  /** Cancelled or suspended on Microsoft's side: nothing to activate. */
  | { outcome: 'notActivatable'; status: string };

/**
 * Activates a purchase, idempotently: reads the marketplace first (already Subscribed → mark the
 * local record and stop), asks the ISV to provision (event id stable across retries), calls Activate
 * with the purchased plan and seats, then converges the record on Microsoft's state under the
 * subscription's lease (Activate: ETag-conditional, history row, ISV `activated` event keyed by the
 * request id). On failure the error is recorded on the record
 * (`lastError`, ActivationFailed on the last attempt) and rethrown so that the queue retries.
 */
export async function activateSubscription(
  deps: ActivateSubscriptionDeps,
  message: ActivationMessage,
  delivery: DeliveryAttempt,
): Promise<ActivationOutcome> {
  const log = deps.logger.child({ subscriptionId: message.subscriptionId, requestId: message.requestId, attempt: delivery.attempt });
  try {
    return await activate(deps, message, log);
  } catch (error) {
    await recordFailure(deps, message, delivery, toError(error), log);
    throw error;
  }
}

/** Waits between attempts to take the subscription's lease (a webhook being processed holds it for seconds). */
export const ACTIVATION_LEASE_WAITS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000];

/**
 * The whole activation holds the subscription's lease, so that two deliveries of the activation
 * (the buyer landed on two instances) or a webhook processed meanwhile never activate or provision
 * twice: the second one reads Microsoft's state after the first is done. Waits a few seconds for a
 * lease held by another worker, then fails the attempt (the queue retries).
 */
async function activate(deps: ActivateSubscriptionDeps, message: ActivationMessage, log: Logger): Promise<ActivationOutcome> {
  for (const waitMs of [...ACTIVATION_LEASE_WAITS_MS, undefined]) {
    const held = await holdSubscriptionLease({ ...deps, logger: log }, message.subscriptionId, () => activateHeld(deps, message, log));
    if (!held.busy) return held.value;
    if (waitMs === undefined) break;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  throw new ConcurrencyConflictError('Subscription lease', message.subscriptionId);
}

async function activateHeld(deps: ActivateSubscriptionDeps, message: ActivationMessage, log: Logger): Promise<ActivationOutcome> {
  const { subscriptionId } = message;
  const subscription = await deps.marketplace.getSubscription(subscriptionId);
  const local = await ensureLocalRecord(deps, subscription);
  const status = subscription.saasSubscriptionStatus;
  if (status === 'Subscribed') {
    await markActive(deps, message, log);
    log.info('subscription was already active at the marketplace');
    return { outcome: 'alreadyActive' };
  }
  if (status === 'Unsubscribed' || status === 'Suspended') {
    // Activated and suspended, or cancelled, elsewhere: the record follows Microsoft.
    await convergeNow(deps, message, log);
    log.warn('subscription cannot be activated', { status });
    return { outcome: 'notActivatable', status };
  }
  if (message.planId !== subscription.planId || message.quantity !== subscription.quantity) {
    log.warn('activation message differs from the purchase; activating the purchase', { planId: subscription.planId, requestedPlanId: message.planId });
  }
  await deps.isv.provision({
    type: 'saas.subscription.provision',
    id: `${subscriptionId}:provision`,
    subject: subscriptionId,
    time: now(deps),
    data: { subscription: local },
  });
  await activateAtMarketplace(deps, subscription);
  // Billing starts now: Microsoft sets the term dates, which the account view shows.
  await markActive(deps, message, log);
  log.info('subscription activated', { planId: subscription.planId, quantity: subscription.quantity });
  return { outcome: 'activated' };
}

/** The landing page writes the record before queueing; a hand-made message may come first. */
async function ensureLocalRecord(deps: ActivateSubscriptionDeps, subscription: MarketplaceSubscription): Promise<SubscriptionRecord> {
  const existing = await deps.subscriptions.get(subscription.id);
  if (existing !== undefined) return existing.value;
  const record = { ...recordFromMarketplace(subscription, now(deps)), status: 'PendingFulfillmentStart' as const };
  try {
    return (await deps.subscriptions.create(record)).value;
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const raced = await deps.subscriptions.get(subscription.id);
    if (raced === undefined) throw new NotFoundError('Subscription', subscription.id, { cause: error });
    return raced.value;
  }
}

/** Activate; a 400 after a lost response means "already Subscribed", which a second read confirms. */
async function activateAtMarketplace(deps: ActivateSubscriptionDeps, subscription: MarketplaceSubscription): Promise<void> {
  const plan = { planId: subscription.planId, ...(subscription.quantity === undefined ? {} : { quantity: subscription.quantity }) };
  try {
    await deps.marketplace.activate(subscription.id, plan);
  } catch (error) {
    if (!(error instanceof MarketplaceApiError) || error.status !== 400) throw error;
    const again = await deps.marketplace.getSubscription(subscription.id);
    if (again.saasSubscriptionStatus !== 'Subscribed') throw error;
  }
}

async function markActive(deps: ActivateSubscriptionDeps, message: ActivationMessage, log: Logger): Promise<void> {
  const at = now(deps);
  // Microsoft has activated: clear an earlier attempt's error first, so that nobody reads the record
  // as Subscribed and failed at the same time.
  await deps.subscriptions.updateWithRetry(message.subscriptionId, (record) => {
    if (record.lastError === undefined || !ACTIVATION_ERROR_CODES.has(record.lastError.code)) return undefined;
    const { lastError: _cleared, ...rest } = record;
    return { ...rest, updatedAt: at };
  });
  await convergeNow(deps, message, log);
}

/**
 * Marks the record as Microsoft has it now (the caller holds the subscription's lease): Get
 * Subscription and converge (Activate with the term Microsoft set, keyed by the request id, then
 * whatever else moved), exactly as every other path does.
 */
async function convergeNow(deps: ActivateSubscriptionDeps, message: ActivationMessage, log: Logger): Promise<void> {
  await readAndConverge({ ...deps, logger: log }, message.subscriptionId, { operationId: message.requestId, action: 'Activate' });
}

async function recordFailure(
  deps: ActivateSubscriptionDeps,
  message: ActivationMessage,
  delivery: DeliveryAttempt,
  error: Error,
  log: Logger,
): Promise<void> {
  const final = delivery.attempt >= delivery.maxAttempts;
  const at = now(deps);
  const lastError = { code: final ? ACTIVATION_FAILED : ACTIVATION_ATTEMPT_FAILED, message: describeFailure(error, delivery), at };
  try {
    await deps.subscriptions.updateWithRetry(message.subscriptionId, (record) =>
      record.status === 'PendingFulfillmentStart' ? { ...record, lastError, updatedAt: at } : undefined,
    );
  } catch (writeError) {
    if (!(writeError instanceof NotFoundError)) log.error('could not record the activation failure', { error: writeError });
  }
  if (final) log.error('activation failed on the last attempt; the message goes to the poison queue', { error });
  else log.info('activation attempt failed; the queue will retry', { error });
}

/** For the admin: what failed, on which attempt; never a token or an e-mail address. */
function describeFailure(error: Error, delivery: DeliveryAttempt): string {
  const text = `Attempt ${delivery.attempt} of ${delivery.maxAttempts}: ${error instanceof MarketplaceApiError ? error.message : `${error.name}: ${error.message}`}`;
  const safe = redactText(text);
  return safe.length > MAX_ERROR_MESSAGE_LENGTH ? `${safe.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : safe;
}

function now(deps: Pick<ActivateSubscriptionDeps, 'clock'>): string {
  return deps.clock.now().toISOString();
}
