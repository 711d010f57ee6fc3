import { activationRecentlyRequested, requestActivation, type RequestActivationDeps } from '../activation/requestActivation';
import { ValidationError } from '../errors';
import { MarketplaceApiError, type MarketplaceApi, type MarketplaceSubscription, type Plan, type ResolvedSubscription } from '../marketplace';
import type { HistoryStore, SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';
import { awaitsActivation, decideLandingState, type ActivationMode, type LandingState } from './landingState';
import { saveSubscription } from './saveSubscription';

export interface OpenLandingPageDeps extends RequestActivationDeps {
  marketplace: Pick<MarketplaceApi, 'resolve' | 'listAvailablePlans'>;
  subscriptions: Pick<SubscriptionStore, 'create' | 'updateWithRetry'>;
  history: Pick<HistoryStore, 'append' | 'list'>;
}

export interface OpenLandingPageInput {
  /** Already URL-decoded once (see readPurchaseToken). */
  purchaseToken: string;
  mode: ActivationMode;
}

export type LandingOutcome =
  /** Resolve refused the token (400/404) or it is malformed: reopen from the portal. */
  | { kind: 'invalidToken' }
  /** Resolve failed for a reason on Microsoft's side or ours (403, 5xx, timeout, network). */
  | { kind: 'unavailable'; error: MarketplaceApiError }
  | {
      kind: 'subscription';
      state: LandingState;
      record: SubscriptionRecord;
      /** Microsoft's view from Resolve (term dates, status as Microsoft sees it). */
      subscription: MarketplaceSubscription;
      /** The purchased plan from listAvailablePlans; undefined when that call failed. */
      plan?: Plan;
    };

/**
 * A buyer opened the landing page: resolve the purchase token server-side, store or refresh the
 * subscription, look up the plan, decide the page state, and in automatic mode queue the
 * activation (once: a queued request is not repeated until ACTIVATION_REQUEST_RETRY_MS has passed).
 */
export async function openLandingPage(deps: OpenLandingPageDeps, input: OpenLandingPageInput): Promise<LandingOutcome> {
  const resolved = await resolveToken(deps, input.purchaseToken);
  if (resolved.kind !== 'resolved') return resolved;
  const { subscription } = resolved.value;
  const now = deps.clock.now();
  const [saved, plan] = await Promise.all([
    saveSubscription(deps.subscriptions, subscription, now.toISOString()),
    findPlan(deps, subscription),
  ]);
  const record = saved.value;
  const marketplaceStatus = subscription.saasSubscriptionStatus;
  const activationQueued = awaitsActivation(marketplaceStatus, record) && (await activationRecentlyRequested(deps.history, record.id, now));
  const decision = decideLandingState({ marketplaceStatus, record, mode: input.mode, activationQueued });
  if (decision.queueActivation) await requestActivation(deps, record, 'automatic');
  return { kind: 'subscription', state: decision.state, record, subscription, plan };
}

type Resolution = { kind: 'resolved'; value: ResolvedSubscription } | Exclude<LandingOutcome, { kind: 'subscription' }>;

async function resolveToken(deps: OpenLandingPageDeps, purchaseToken: string): Promise<Resolution> {
  try {
    return { kind: 'resolved', value: await deps.marketplace.resolve(purchaseToken) };
  } catch (error) {
    if (error instanceof ValidationError) return { kind: 'invalidToken' };
    if (!(error instanceof MarketplaceApiError)) throw error;
    if (isTokenRefusal(error)) {
      // 401/403 can also mean our own registration is wrong (another Entra app): say so to the operator.
      const ours = error.status === 401 || error.status === 403;
      deps.logger[ours ? 'warn' : 'info']('purchase token refused by the marketplace', { status: error.status, requestId: error.requestId, ...(ours ? { hint: 'check the app registration of the offer if every token is refused' } : {}) });
      return { kind: 'invalidToken' };
    }
    deps.logger.warn('marketplace unavailable for resolve', { error });
    return { kind: 'unavailable', error };
  }
}

/**
 * Any 4xx from Resolve except 429 (throttling) means this token cannot be used: 400 (invalid or
 * expired), 404, and also 413 / 431 for a token too large for a header. 5xx, 429 and transport
 * failures mean "try again later".
 */
function isTokenRefusal(error: MarketplaceApiError): boolean {
  return error.kind === 'http' && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/** The plan is decoration: when the list fails the page shows the plan id instead. */
async function findPlan(deps: OpenLandingPageDeps, subscription: MarketplaceSubscription): Promise<Plan | undefined> {
  try {
    const plans = await deps.marketplace.listAvailablePlans(subscription.id);
    return plans.find((plan) => plan.planId === subscription.planId);
  } catch (error) {
    deps.logger.info('plan list unavailable; showing the plan id', { subscriptionId: subscription.id, error });
    return undefined;
  }
}
