import { ValidationError } from '../errors';
import { type ClientContext, malformed, requireText } from './clientContext';
import { type AcceptedOperation, type MarketplaceApi } from './marketplaceApi';
import { type MarketplaceResponse, parseBody } from './responses';
import { parseRetryAfter } from './retry';
import { planListSchema } from './schemas/plan';
import { resolvedSubscriptionSchema, subscriptionSchema } from './schemas/subscription';
import { listSubscriptions } from './listSubscriptions';
import { segment } from './urls';

type FulfillmentMethods = Pick<
  MarketplaceApi,
  | 'resolve'
  | 'listSubscriptions'
  | 'getSubscription'
  | 'listAvailablePlans'
  | 'activate'
  | 'changePlan'
  | 'changeQuantity'
  | 'deleteSubscription'
>;

/** Printable ASCII only: the header cannot carry anything else, and a broken token must not be retried. */
const PURCHASE_TOKEN = /^[\x20-\x7e]+$/;

/**
 * The longest purchase token sent to Resolve. Real tokens are opaque base64 blobs of a few hundred
 * to about a thousand characters (the recorded one and both emulators' stay under 1,000); 4,096 is
 * four times that and still well below the 8 KB a single request header may take at common front
 * ends. Longer ones are junk (Microsoft answers a 15,000-character one with 431) and are refused
 * here, before Microsoft is called.
 */
export const MAX_PURCHASE_TOKEN_LENGTH = 4_096;

export function createFulfillmentMethods(ctx: ClientContext): FulfillmentMethods {
  const { send, urls } = ctx;
  const subscriptionPath = (id: string): string => `/saas/subscriptions/${segment(requireText('subscriptionId', id))}`;

  const accepted = (operation: string, subscriptionId: string, response: MarketplaceResponse): AcceptedOperation => {
    const location = response.headers.get('operation-location')?.trim() || undefined;
    const fromLocation = location === undefined ? undefined : /\/operations\/([^/?#]+)/i.exec(location)?.[1];
    const operationId = response.headers.get('operation-id')?.trim() || (fromLocation && decodeURIComponent(fromLocation));
    if (!operationId) {
      throw malformed(operation, 'accepted without Operation-Location or Operation-Id; list outstanding operations', response.ids, response.status);
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), ctx.clock.now().getTime());
    return {
      operationId,
      operationLocation: location ?? urls.build(`${subscriptionPath(subscriptionId)}/operations/${segment(operationId)}`).href,
      ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }),
    };
  };

  const patchOrDelete = async (
    operation: 'changePlan' | 'changeQuantity' | 'deleteSubscription',
    subscriptionId: string,
    body: unknown,
    options: Parameters<MarketplaceApi['changePlan']>[2],
  ): Promise<AcceptedOperation> => {
    const url = urls.build(subscriptionPath(subscriptionId));
    const method = operation === 'deleteSubscription' ? 'DELETE' : 'PATCH';
    const response = await send({ operation, method, url, body, retry: 'notAccepted' }, options);
    return accepted(operation, subscriptionId, response);
  };

  return {
    async resolve(purchaseToken, options) {
      if (typeof purchaseToken !== 'string' || purchaseToken.trim() === '' || !PURCHASE_TOKEN.test(purchaseToken)) {
        throw new ValidationError('The purchase token is missing or malformed', ['token']);
      }
      if (purchaseToken.length > MAX_PURCHASE_TOKEN_LENGTH) {
        throw new ValidationError(`The purchase token is longer than ${MAX_PURCHASE_TOKEN_LENGTH} characters; no real one is`, ['token']);
      }
      const response = await send(
        {
          operation: 'resolve',
          method: 'POST',
          url: urls.build('/saas/subscriptions/resolve'),
          headers: { 'x-ms-marketplace-token': purchaseToken },
          secrets: [purchaseToken],
          retry: 'safe',
        },
        options,
      );
      return parseBody(response, resolvedSubscriptionSchema, 'resolve');
    },

    listSubscriptions: (options) => listSubscriptions(ctx, options),

    async getSubscription(subscriptionId, options) {
      const url = urls.build(subscriptionPath(subscriptionId));
      const response = await send({ operation: 'getSubscription', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, subscriptionSchema, 'getSubscription');
    },

    async listAvailablePlans(subscriptionId, filter = {}, options) {
      const url = urls.build(`${subscriptionPath(subscriptionId)}/listAvailablePlans`, { planId: filter.planId });
      const response = await send({ operation: 'listAvailablePlans', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, planListSchema, 'listAvailablePlans', () => []);
    },

    async activate(subscriptionId, plan, options) {
      const body = { planId: requireText('planId', plan.planId), ...(plan.quantity === undefined ? {} : { quantity: plan.quantity }) };
      const url = urls.build(`${subscriptionPath(subscriptionId)}/activate`);
      await send({ operation: 'activate', method: 'POST', url, body, retry: 'safe' }, options);
    },

    async changePlan(subscriptionId, planId, options) {
      return patchOrDelete('changePlan', subscriptionId, { planId: requireText('planId', planId) }, options);
    },

    async changeQuantity(subscriptionId, quantity, options) {
      if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError('quantity must be a positive integer');
      return patchOrDelete('changeQuantity', subscriptionId, { quantity }, options);
    },

    async deleteSubscription(subscriptionId, options) {
      return patchOrDelete('deleteSubscription', subscriptionId, undefined, options);
    },
  };
}
