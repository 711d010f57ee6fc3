import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findOffer, isPlanVisibleTo } from './catalog';
import { checkQuantityFits } from './changes';
import { nowIso, type EmulatorContext } from './context';
import { apiError } from './http';
import { createOperation, scheduleTermEnd } from './lifecycle';
import type { AadIdentifier, SubscriptionRecord } from './model';
import { termDates } from './terms';

/** Purchase tokens are valid for 24 h of emulator time (current docs). */
export const PURCHASE_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** The default buyer's tenant (sees public plans only). */
export const DEFAULT_CUSTOMER_TENANT_ID = '4c1b9d27-8e3a-4f6b-a5d2-9f0e7c3b1a84';
/** The CSP partner's tenant for `csp: true` purchases. */
export const CSP_PARTNER_TENANT_ID = 'e2a6f4d8-1c3b-4e5a-8f7d-6b9c0a2e4f13';

export const purchaseSchema = z.object({
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity: z.number().int().positive().optional(),
  termUnit: z.string().optional(),
  isFreeTrial: z.boolean().optional(),
  beneficiaryTenantId: z.string().min(1).optional(),
  csp: z.boolean().optional(),
  sandbox: z.boolean().optional(),
  autoRenew: z.boolean().optional(),
  name: z.string().min(1).optional(),
});
export type PurchaseInput = z.infer<typeof purchaseSchema>;

const badRequest = (message: string) => apiError(400, 'BadRequest', message);

function party(tenantId: string, emailId: string): AadIdentifier {
  return { emailId, objectId: randomUUID(), tenantId, puid: randomBytes(8).toString('hex').toUpperCase() };
}

/** Base64 like real tokens, so it always holds `+`, `/` and `=` (clients must URL-decode exactly once). */
function newPurchaseToken(): string {
  for (;;) {
    const token = randomBytes(160).toString('base64');
    if (token.includes('+') && token.includes('/') && token.endsWith('=')) return token;
  }
}

/** A customer buys a plan: the subscription starts PendingFulfillmentStart (no webhook, §5.1). */
export function purchase(ctx: EmulatorContext, input: PurchaseInput): { subscription: SubscriptionRecord; token: string } {
  const offer = findOffer(ctx.catalog, input.offerId);
  if (!offer) throw badRequest(`Offer ${input.offerId} is not in the catalog.`);
  const plan = offer.plans.find((candidate) => candidate.planId === input.planId);
  if (!plan) throw badRequest(`Plan ${input.planId} is not in offer ${offer.offerId}.`);
  if (plan.isStopSell) throw badRequest(`Plan ${plan.planId} is no longer sold.`);
  const beneficiaryTenantId = input.beneficiaryTenantId ?? DEFAULT_CUSTOMER_TENANT_ID;
  if (!isPlanVisibleTo(plan, beneficiaryTenantId)) throw badRequest(`Private plan ${plan.planId} is not offered to tenant ${beneficiaryTenantId}.`);
  let quantity: number | undefined;
  if (plan.isPricePerSeat) {
    quantity = input.quantity ?? plan.minQuantity ?? 1;
    checkQuantityFits(plan, quantity);
  } else if (input.quantity !== undefined) {
    throw badRequest(`Plan ${plan.planId} is a flat-rate plan; quantity is not allowed.`);
  }
  const termUnit = input.termUnit ?? plan.recurrentBillingTerms[0]?.termUnit ?? 'P1M';
  if (!plan.recurrentBillingTerms.some((term) => term.termUnit === termUnit)) throw badRequest(`Plan ${plan.planId} is not sold with term ${termUnit}.`);
  if (input.isFreeTrial === true && !plan.hasFreeTrials) throw badRequest(`Plan ${plan.planId} has no free trial.`);
  const beneficiary = party(beneficiaryTenantId, 'buyer@customer.example');
  const now = nowIso(ctx);
  const subscription: SubscriptionRecord = {
    id: randomUUID(),
    name: input.name ?? `${plan.displayName} ${ctx.state.subscriptions.size + 1}`,
    offerId: offer.offerId,
    planId: plan.planId,
    ...(quantity === undefined ? {} : { quantity }),
    status: 'PendingFulfillmentStart',
    beneficiary,
    purchaser: input.csp === true ? party(CSP_PARTNER_TENANT_ID, 'admin@csp-partner.example') : { ...beneficiary },
    termUnit,
    autoRenew: input.autoRenew ?? true,
    isTest: false,
    isFreeTrial: input.isFreeTrial ?? plan.hasFreeTrials,
    allowedCustomerOperations: input.csp === true ? ['Read'] : ['Read', 'Update', 'Delete'],
    sandboxType: input.sandbox === true ? 'Csp' : 'None',
    sessionMode: 'None',
    created: now,
    lastModified: now,
    azureSubscriptionId: randomUUID(),
  };
  ctx.state.subscriptions.set(subscription.id, subscription);
  ctx.logger.info('emulator purchase', { subscriptionId: subscription.id, offerId: offer.offerId, planId: plan.planId });
  return { subscription, token: issuePurchaseToken(ctx, subscription) };
}

/** A fresh landing-page token (new purchase, or the "Manage account" visit). */
export function issuePurchaseToken(ctx: EmulatorContext, sub: SubscriptionRecord): string {
  const token = newPurchaseToken();
  ctx.state.purchaseTokens.set(token, {
    subscriptionId: sub.id,
    issuedAt: nowIso(ctx),
    expiresAt: ctx.clock.now().getTime() + PURCHASE_TOKEN_TTL_MS,
  });
  return token;
}

/** landingPageUrl + `?token=` + encodeURIComponent(token); undefined when no landing page is configured. */
export function landingUrl(ctx: EmulatorContext, token: string): string | undefined {
  const base = ctx.state.config.landingPageUrl;
  if (base === undefined) return undefined;
  return `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export function resolvePurchaseToken(ctx: EmulatorContext, token: string | undefined): SubscriptionRecord {
  if (token === undefined || token.trim() === '') throw badRequest('The x-ms-marketplace-token header is missing.');
  const record = ctx.state.purchaseTokens.get(token);
  if (!record) throw badRequest('The marketplace token is invalid.');
  if (record.expiresAt <= ctx.clock.now().getTime()) throw badRequest('The marketplace token has expired.');
  const sub = ctx.state.subscriptions.get(record.subscriptionId);
  if (!sub) throw badRequest('The marketplace token is invalid.');
  return sub;
}

/** Activate (§2.2): plan and quantity must match the purchase; the term starts today. */
export function activate(ctx: EmulatorContext, sub: SubscriptionRecord, body: { planId?: unknown; quantity?: unknown }): void {
  if (sub.status === 'Unsubscribed') throw apiError(404, 'NotFound', `Subscription ${sub.id} is Unsubscribed.`);
  if (sub.status !== 'PendingFulfillmentStart') throw badRequest(`Subscription ${sub.id} is already ${sub.status}.`);
  if (typeof body.planId !== 'string' || body.planId === '') throw badRequest('planId is required.');
  if (body.planId !== sub.planId) throw badRequest(`planId ${body.planId} differs from the purchased plan.`);
  if (body.quantity !== undefined && body.quantity !== null && body.quantity !== sub.quantity) {
    throw badRequest('quantity differs from the purchased quantity.');
  }
  const term = termDates(ctx.clock.now(), sub.termUnit);
  sub.status = 'Subscribed';
  sub.startDate = term.startDate;
  sub.endDate = term.endDate;
  sub.lastModified = nowIso(ctx);
  scheduleTermEnd(ctx, sub);
  ctx.logger.info('emulator subscription activated', { subscriptionId: sub.id });
  if (ctx.state.config.subscribeWebhook) {
    ctx.webhooks.send(createOperation(ctx, sub, { action: 'Subscribe', source: 'Partner', status: 'Succeeded' }), sub);
  }
}
