import type { ProvisioningHook } from '../isv/hooks';
import type { MarketplaceSubscription } from '../marketplace';
import type { ApplyEventDeps } from '../subscription/applyEvent';
import { recordFromMarketplace } from '../subscription/fromMarketplace';
import { convergeSubscription, type ConvergeHeld, type ConvergeOptions, type ConvergeResult } from './convergeSubscription';

const PROVISIONED: ReadonlySet<string> = new Set(['Subscribed', 'Suspended']);

/**
 * A `Subscribe` webhook (the purchase was activated). When the buyer went through the landing page,
 * this app's activation already asked the ISV to provision before it called Activate (which is what
 * makes Microsoft send Subscribe), so only the record converges: Activate, whose `activated` event
 * has one id per subscription whichever path applies it first. When this app has never seen the
 * subscription (activated elsewhere, the buyer never reached the landing page), the ISV is asked to
 * provision first, with the same event id the activation uses (`<id>:provision`), and the record is
 * then imported as pending and converged, so the ISV hears `activated` once too. A retry after a
 * crash between the two repeats the same provision event id.
 */
export async function convergeOnSubscribe(
  deps: ApplyEventDeps & { isv: ProvisioningHook },
  truth: MarketplaceSubscription,
  options: ConvergeOptions,
  held: ConvergeHeld = {},
): Promise<ConvergeResult> {
  const known = held.known ?? (await deps.subscriptions.get(truth.id));
  if (known !== undefined || !PROVISIONED.has(truth.saasSubscriptionStatus)) return convergeSubscription(deps, truth, options, { ...held, known });
  const pending = { ...recordFromMarketplace(truth, options.at), status: 'PendingFulfillmentStart' as const };
  await deps.isv.provision({ type: 'saas.subscription.provision', id: `${truth.id}:provision`, subject: truth.id, time: options.at, data: { subscription: pending } });
  deps.logger.info('subscription provisioned from a Subscribe webhook: the buyer never reached the landing page', { subscriptionId: truth.id });
  return convergeSubscription(deps, truth, { ...options, importAs: 'PendingFulfillmentStart' }, { lease: held.lease });
}
