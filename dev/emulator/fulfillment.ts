import { z } from 'zod';
import { guarded } from './apiGuard';
import { planView } from './catalog';
import { availablePlans, validateChange } from './changes';
import type { EmulatorContext } from './context';
import { apiError, empty, header, json, parseJsonBody, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import { requestPartnerChange, requestPartnerDelete } from './lifecycle';
import { API_VERSION, type OperationRecord, type SubscriptionRecord } from './model';
import { activate, resolvePurchaseToken } from './purchases';
import { subscriptionView } from './views';

const badRequest = (message: string) => apiError(400, 'BadRequest', message);
const bodySchema = z.object({ planId: z.unknown().optional(), quantity: z.unknown().optional() }).loose();

export function findSubscription(ctx: EmulatorContext, req: EmulatorRequest): SubscriptionRecord {
  const sub = ctx.state.subscriptions.get(req.params.subscriptionId ?? '');
  if (!sub) throw apiError(404, 'NotFound', `Subscription ${req.params.subscriptionId ?? ''} was not found.`);
  return sub;
}

/** 202 with the headers recorded on real responses: absolute Operation-Location, Operation-Id, Retry-After: 10. */
function accepted(ctx: EmulatorContext, op: OperationRecord): EmulatorResponse {
  const location = `${ctx.urls.api}/saas/subscriptions/${op.subscriptionId}/operations/${op.id}?api-version=${API_VERSION}`;
  return empty(202, { 'operation-location': location, 'operation-id': op.id, 'retry-after': '10' });
}

function encodeContinuation(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');
}

function decodeContinuation(token: string | null): number {
  if (token === null || token === '') return 0;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    // fall through
  }
  throw badRequest('The continuationToken is invalid.');
}

/** List (§2.3): pages of `pageSize`, `@nextLink` as a full URL; an empty body when there are no subscriptions. */
function listSubscriptions(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const all = [...ctx.state.subscriptions.values()].sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  const offset = decodeContinuation(req.url.searchParams.get('continuationToken'));
  if (all.length === 0) return empty(200);
  const size = ctx.state.config.pageSize;
  const page = all.slice(offset, offset + size);
  const body: Record<string, unknown> = { subscriptions: page.map((sub) => subscriptionView(ctx.catalog, sub, 'list')) };
  if (offset + size < all.length) {
    body['@nextLink'] = `${ctx.urls.api}/saas/subscriptions/?continuationToken=${encodeContinuation(offset + size)}&api-version=${API_VERSION}`;
  }
  return json(200, body);
}

function resolve(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const sub = resolvePurchaseToken(ctx, header(req, 'x-ms-marketplace-token'));
  return json(200, {
    id: sub.id,
    subscriptionName: sub.name,
    offerId: sub.offerId,
    planId: sub.planId,
    ...(sub.quantity === undefined ? {} : { quantity: sub.quantity }),
    subscription: subscriptionView(ctx.catalog, sub),
  });
}

function listAvailablePlans(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const sub = findSubscription(ctx, req);
  const filter = req.url.searchParams.get('planId');
  const plans = availablePlans(ctx, sub).filter((plan) => filter === null || plan.planId === filter);
  return json(200, { plans: plans.map(planView) });
}

function patchSubscription(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const sub = findSubscription(ctx, req);
  const body = parseJsonBody(req, bodySchema, badRequest);
  const change = validateChange(ctx, sub, body, { enforceAllowedOperations: true });
  return accepted(ctx, requestPartnerChange(ctx, sub, change));
}

function deleteSubscription(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const sub = findSubscription(ctx, req);
  if (!sub.allowedCustomerOperations.includes('Delete')) throw badRequest('Delete is not in allowedCustomerOperations for this subscription.');
  if (sub.status === 'Unsubscribed') throw badRequest(`Subscription ${sub.id} is already Unsubscribed.`);
  return accepted(ctx, requestPartnerDelete(ctx, sub));
}

/** The fulfillment v2 API under /api/saas/subscriptions. */
export function registerFulfillmentRoutes(router: Router, ctx: EmulatorContext): void {
  const base = '/api/saas/subscriptions';
  const route = (handler: (req: EmulatorRequest) => EmulatorResponse) => guarded(ctx, 'fulfillment', handler);
  router
    .add('POST', `${base}/resolve`, route((req) => resolve(ctx, req)))
    .add('GET', base, route((req) => listSubscriptions(ctx, req)))
    .add('GET', `${base}/:subscriptionId`, route((req) => json(200, subscriptionView(ctx.catalog, findSubscription(ctx, req)))))
    .add('PATCH', `${base}/:subscriptionId`, route((req) => patchSubscription(ctx, req)))
    .add('DELETE', `${base}/:subscriptionId`, route((req) => deleteSubscription(ctx, req)))
    .add('GET', `${base}/:subscriptionId/listAvailablePlans`, route((req) => listAvailablePlans(ctx, req)))
    .add(
      'POST',
      `${base}/:subscriptionId/activate`,
      route((req) => {
        const sub = findSubscription(ctx, req);
        activate(ctx, sub, parseJsonBody(req, bodySchema, badRequest));
        return empty(200);
      }),
    );
}
