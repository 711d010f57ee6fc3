import { z } from 'zod';
import { checkHttpUrl, checkLoopbackUrl, configUpdateSchema, type ConfigUpdate } from './config';
import type { EmulatorContext } from './context';
import { faultRuleSchema, type FaultInjector } from './faults';
import { apiError, json, parseJsonBody, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import { CUSTOMER_ACTIONS, fireCustomerAction } from './lifecycle';
import type { SubscriptionRecord } from './model';
import { issuePurchaseToken, landingUrl, purchase, purchaseSchema, type PurchaseInput } from './purchases';
import { operationView, subscriptionView } from './views';
import type { WebhookDispatcher } from './webhooks';

export interface ControlDeps {
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  reset: () => void;
}

const badRequest = (message: string) => apiError(400, 'BadRequest', message);
export const actionSchema = z.object({
  action: z.enum(CUSTOMER_ACTIONS),
  planId: z.string().min(1).optional(),
  quantity: z.number().int().optional(),
});
const clockSchema = z.object({ advanceMs: z.number().int().min(0).max(10 * 366 * 86_400_000) });

export function controlSubscription(ctx: EmulatorContext, id: string): SubscriptionRecord {
  const sub = ctx.state.subscriptions.get(id);
  if (!sub) throw apiError(404, 'NotFound', `Subscription ${id} was not found.`);
  return sub;
}

/** A purchase through the control API or the page: subscription id, purchase token and landing URL. */
export function controlPurchase(ctx: EmulatorContext, input: PurchaseInput): Record<string, unknown> {
  const { subscription, token } = purchase(ctx, input);
  return { subscriptionId: subscription.id, token, landingUrl: landingUrl(ctx, token) ?? null, subscription: subscriptionView(ctx.catalog, subscription) };
}

export function newToken(ctx: EmulatorContext, id: string): Record<string, unknown> {
  const token = issuePurchaseToken(ctx, controlSubscription(ctx, id));
  return { subscriptionId: id, token, landingUrl: landingUrl(ctx, token) ?? null };
}

export function updateConfig(ctx: EmulatorContext, update: ConfigUpdate): void {
  const config = ctx.state.config;
  try {
    if (update.webhookUrl !== undefined) config.webhookUrl = update.webhookUrl === null ? undefined : checkLoopbackUrl(update.webhookUrl);
    if (update.landingPageUrl !== undefined) {
      config.landingPageUrl = update.landingPageUrl === null ? undefined : checkHttpUrl(update.landingPageUrl, 'landingPageUrl');
    }
  } catch (error) {
    throw badRequest(error instanceof Error ? error.message : String(error));
  }
  if (update.ackWindowMs !== undefined) config.ackWindowMs = update.ackWindowMs;
  if (update.tokenVersion !== undefined) config.tokenVersion = update.tokenVersion;
  if (update.pageSize !== undefined) config.pageSize = update.pageSize;
  if (update.operationDelayMs !== undefined) config.operationDelayMs = update.operationDelayMs;
  if (update.subscribeWebhook !== undefined) config.subscribeWebhook = update.subscribeWebhook;
}

export function advanceClock(ctx: EmulatorContext, advanceMs: number): { now: string; offsetMs: number } {
  ctx.clock.advance(advanceMs);
  ctx.scheduler.runDue();
  return { now: ctx.clock.now().toISOString(), offsetMs: ctx.clock.offsetMs() };
}

function subscriptionDetail(ctx: EmulatorContext, sub: SubscriptionRecord): Record<string, unknown> {
  return {
    subscription: subscriptionView(ctx.catalog, sub),
    operations: [...ctx.state.operations.values()].filter((op) => op.subscriptionId === sub.id).map((op) => operationView(ctx.catalog, op, sub)),
    deliveries: ctx.state.deliveries.filter((delivery) => delivery.subscriptionId === sub.id),
    usage: ctx.state.usage.filter((usage) => usage.resourceId === sub.id),
  };
}

/** The control API (JSON, no auth: loopback only) that plays the customer and Microsoft. */
export function registerControlRoutes(router: Router, ctx: EmulatorContext, deps: ControlDeps): void {
  const body = <S extends z.ZodType>(req: EmulatorRequest, schema: S): z.infer<S> => parseJsonBody(req, schema, badRequest);
  const ok = (value: unknown): EmulatorResponse => json(200, value);
  router
    .add('GET', '/control/catalog', () => ok(ctx.catalog))
    .add('POST', '/control/purchases', (req) => json(201, controlPurchase(ctx, body(req, purchaseSchema))))
    .add('POST', '/control/purchases/:subscriptionId/token', (req) => json(201, newToken(ctx, req.params.subscriptionId ?? '')))
    .add('GET', '/control/subscriptions', () =>
      ok({ subscriptions: [...ctx.state.subscriptions.values()].map((sub) => subscriptionView(ctx.catalog, sub)) }),
    )
    .add('GET', '/control/subscriptions/:subscriptionId', (req) => ok(subscriptionDetail(ctx, controlSubscription(ctx, req.params.subscriptionId ?? ''))))
    .add('POST', '/control/subscriptions/:subscriptionId/actions', (req) => {
      const sub = controlSubscription(ctx, req.params.subscriptionId ?? '');
      const op = fireCustomerAction(ctx, sub, body(req, actionSchema));
      return ok(operationView(ctx.catalog, op, sub));
    })
    .add('GET', '/control/config', () => ok(ctx.state.config))
    .add('PUT', '/control/config', (req) => {
      updateConfig(ctx, body(req, configUpdateSchema));
      return ok(ctx.state.config);
    })
    .add('GET', '/control/clock', () => ok({ now: ctx.clock.now().toISOString(), offsetMs: ctx.clock.offsetMs() }))
    .add('POST', '/control/clock', (req) => ok(advanceClock(ctx, body(req, clockSchema).advanceMs)))
    .add('POST', '/control/reset', () => {
      deps.reset();
      return ok({ reset: true });
    })
    .add('GET', '/control/faults', () => ok({ rules: deps.faults.list(), log: ctx.state.faultLog }))
    .add('POST', '/control/faults', (req) => json(201, deps.faults.add(body(req, faultRuleSchema))))
    .add('DELETE', '/control/faults', () => {
      deps.faults.clear();
      return ok({ rules: [] });
    })
    .add('DELETE', '/control/faults/:faultId', (req) => {
      if (!deps.faults.remove(req.params.faultId ?? '')) throw apiError(404, 'NotFound', 'No such fault rule.');
      return ok({ removed: req.params.faultId });
    })
    .add('GET', '/control/deliveries', () => ok({ deliveries: ctx.state.deliveries }))
    .add('POST', '/control/deliveries/release', () => ok({ released: deps.webhooks.releaseHeld() }))
    .add('GET', '/control/state', () =>
      ok({
        now: ctx.clock.now().toISOString(),
        config: ctx.state.config,
        subscriptions: ctx.state.subscriptions.size,
        operations: ctx.state.operations.size,
        deliveries: ctx.state.deliveries.length,
        usageEvents: ctx.state.usage.length,
        faultLog: ctx.state.faultLog,
        unknownRequests: ctx.state.unknownRequests,
      }),
    );
}
