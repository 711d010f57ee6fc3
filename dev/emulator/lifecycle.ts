import { randomUUID } from 'node:crypto';
import { findPlan } from './catalog';
import { switchablePlans, validateChange, type ChangeRequest } from './changes';
import { nowIso, type EmulatorContext } from './context';
import { apiError } from './http';
import type { OperationAction, OperationRecord, OperationSource, OperationStatus, SubscriptionRecord } from './model';
import { renewalInstant, termDates } from './terms';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Suspended subscriptions are cancelled after this grace period (§5.2). */
const SUSPENSION_GRACE_MS = 30 * DAY_MS;

export const CUSTOMER_ACTIONS = ['ChangePlan', 'ChangeQuantity', 'Suspend', 'Reinstate', 'Renew', 'Unsubscribe'] as const;
export type CustomerAction = (typeof CUSTOMER_ACTIONS)[number];

const badRequest = (message: string) => apiError(400, 'BadRequest', message);

function touch(ctx: EmulatorContext, sub: SubscriptionRecord): void {
  sub.lastModified = nowIso(ctx);
}

export function createOperation(
  ctx: EmulatorContext,
  sub: SubscriptionRecord,
  init: { action: OperationAction; source: OperationSource; status: OperationStatus; planId?: string; quantity?: number },
): OperationRecord {
  const now = nowIso(ctx);
  const quantity = init.quantity ?? sub.quantity;
  const op: OperationRecord = {
    id: randomUUID(),
    subscriptionId: sub.id,
    action: init.action,
    source: init.source,
    status: init.status,
    planId: init.planId ?? sub.planId,
    ...(quantity === undefined ? {} : { quantity }),
    created: now,
    lastModified: now,
  };
  ctx.state.operations.set(op.id, op);
  return op;
}

export function pendingOperation(ctx: EmulatorContext, subscriptionId: string): OperationRecord | undefined {
  for (const op of ctx.state.operations.values()) {
    if (op.subscriptionId === subscriptionId && (op.status === 'NotStarted' || op.status === 'InProgress')) return op;
  }
  return undefined;
}

function ensureNoPending(ctx: EmulatorContext, sub: SubscriptionRecord): void {
  const pending = pendingOperation(ctx, sub.id);
  if (pending) throw apiError(409, 'Conflict', `Operation ${pending.id} (${pending.action}) is still ${pending.status} for this subscription.`);
}

function finish(ctx: EmulatorContext, op: OperationRecord, status: 'Succeeded' | 'Failed', error?: { message: string; statusCode?: string }): void {
  op.status = status;
  op.lastModified = nowIso(ctx);
  op.ackDeadline = undefined;
  if (error) {
    op.errorMessage = error.message;
    if (error.statusCode !== undefined) op.errorStatusCode = error.statusCode;
  }
  ctx.logger.info('emulator operation finished', { operationId: op.id, action: op.action, status });
}

/** InProgress, webhook, then accepted automatically when the ack window passes unanswered. */
function startAcknowledgeable(ctx: EmulatorContext, op: OperationRecord, sub: SubscriptionRecord): void {
  op.status = 'InProgress';
  op.lastModified = nowIso(ctx);
  op.ackDeadline = ctx.clock.now().getTime() + ctx.state.config.ackWindowMs;
  ctx.webhooks.send(op, sub);
  ctx.scheduler.at(op.ackDeadline, () => {
    if (op.status === 'InProgress') completeOperation(ctx, op, 'Success');
  });
}

/** Applies an accepted ChangePlan/ChangeQuantity/Reinstate; returns why it cannot be applied, if so. */
function apply(ctx: EmulatorContext, op: OperationRecord, sub: SubscriptionRecord): string | undefined {
  if (op.action === 'Reinstate') {
    if (sub.status !== 'Suspended') return `The subscription is ${sub.status}, not Suspended.`;
    sub.status = 'Subscribed';
    sub.suspendedAt = undefined;
  } else if (op.action === 'ChangePlan' || op.action === 'ChangeQuantity') {
    if (sub.status !== 'Subscribed') return `The subscription is ${sub.status}, not Subscribed.`;
    if (op.action === 'ChangeQuantity') {
      sub.quantity = op.quantity;
    } else {
      const plan = findPlan(ctx.catalog, sub.offerId, op.planId);
      if (!plan) return `Plan ${op.planId} no longer exists.`;
      sub.planId = plan.planId;
      if (!plan.recurrentBillingTerms.some((term) => term.termUnit === sub.termUnit)) sub.termUnit = plan.recurrentBillingTerms[0]?.termUnit ?? sub.termUnit;
      if (sub.isFreeTrial && !plan.hasFreeTrials) sub.isFreeTrial = false;
    }
  } else {
    return `${op.action} operations are not acknowledged.`;
  }
  touch(ctx, sub);
  return undefined;
}

/** Success: apply and mark Succeeded (Failed if the subscription moved on); Failure: Failed, nothing applied. */
export function completeOperation(ctx: EmulatorContext, op: OperationRecord, outcome: 'Success' | 'Failure', error?: { message: string; statusCode?: string }): void {
  if (outcome === 'Failure') {
    finish(ctx, op, 'Failed', error ?? { message: 'The publisher rejected the operation.' });
    return;
  }
  const sub = ctx.state.subscriptions.get(op.subscriptionId);
  const problem = sub ? apply(ctx, op, sub) : 'The subscription no longer exists.';
  finish(ctx, op, problem === undefined ? 'Succeeded' : 'Failed', problem === undefined ? undefined : { message: problem });
}

/** PATCH operation { status }: only InProgress operations can be acknowledged (409 otherwise). */
export function acknowledgeOperation(ctx: EmulatorContext, op: OperationRecord, outcome: 'Success' | 'Failure'): void {
  if (op.status !== 'InProgress') throw apiError(409, 'Conflict', `Operation ${op.id} is ${op.status}; it can no longer be updated.`);
  completeOperation(ctx, op, outcome);
}

/** A 4xx webhook answer inside the window rejects a ChangePlan/ChangeQuantity. Returns whether it did. */
export function rejectFromWebhook(ctx: EmulatorContext, operationId: string, httpStatus: number): boolean {
  const op = ctx.state.operations.get(operationId);
  if (!op || op.status !== 'InProgress' || (op.action !== 'ChangePlan' && op.action !== 'ChangeQuantity')) return false;
  completeOperation(ctx, op, 'Failure', { message: `The webhook answered ${httpStatus}.`, statusCode: String(httpStatus) });
  return true;
}

function delayed(ctx: EmulatorContext, run: () => void): void {
  ctx.scheduler.at(ctx.clock.now().getTime() + ctx.state.config.operationDelayMs, run);
}

/** Publisher PATCH: NotStarted; after `operationDelayMs` InProgress with the webhook, then the ack window. */
export function requestPartnerChange(ctx: EmulatorContext, sub: SubscriptionRecord, change: ChangeRequest): OperationRecord {
  ensureNoPending(ctx, sub);
  const op = createOperation(ctx, sub, {
    action: change.action,
    source: 'Partner',
    status: 'NotStarted',
    ...(change.action === 'ChangePlan' ? { planId: change.planId } : { quantity: change.quantity }),
  });
  delayed(ctx, () => {
    if (op.status !== 'NotStarted') return;
    if (sub.status !== 'Subscribed') finish(ctx, op, 'Failed', { message: `The subscription is ${sub.status}, not Subscribed.` });
    else startAcknowledgeable(ctx, op, sub);
  });
  return op;
}

/** Publisher DELETE: NotStarted; after `operationDelayMs` the subscription is Unsubscribed and the webhook sent. */
export function requestPartnerDelete(ctx: EmulatorContext, sub: SubscriptionRecord): OperationRecord {
  const op = createOperation(ctx, sub, { action: 'Unsubscribe', source: 'Partner', status: 'NotStarted' });
  delayed(ctx, () => {
    if (op.status !== 'NotStarted') return;
    if (sub.status === 'Unsubscribed') finish(ctx, op, 'Failed', { message: 'The subscription is already Unsubscribed.' });
    else unsubscribe(ctx, sub, op);
  });
  return op;
}

export function unsubscribe(ctx: EmulatorContext, sub: SubscriptionRecord, partnerOp?: OperationRecord): OperationRecord {
  sub.status = 'Unsubscribed';
  sub.unsubscribedAt = nowIso(ctx);
  touch(ctx, sub);
  for (const other of ctx.state.operations.values()) {
    if (other !== partnerOp && other.subscriptionId === sub.id && (other.status === 'NotStarted' || other.status === 'InProgress')) {
      finish(ctx, other, 'Failed', { message: 'The subscription was unsubscribed.' });
    }
  }
  const op = partnerOp ?? createOperation(ctx, sub, { action: 'Unsubscribe', source: 'Azure', status: 'Succeeded' });
  finish(ctx, op, 'Succeeded');
  ctx.webhooks.send(op, sub);
  return op;
}

function suspend(ctx: EmulatorContext, sub: SubscriptionRecord): OperationRecord {
  const suspendedAt = nowIso(ctx);
  sub.status = 'Suspended';
  sub.suspendedAt = suspendedAt;
  touch(ctx, sub);
  const op = createOperation(ctx, sub, { action: 'Suspend', source: 'Azure', status: 'Succeeded' });
  ctx.webhooks.send(op, sub);
  ctx.scheduler.at(new Date(suspendedAt).getTime() + SUSPENSION_GRACE_MS, () => {
    if (sub.status === 'Suspended' && sub.suspendedAt === suspendedAt) unsubscribe(ctx, sub);
  });
  return op;
}

function renew(ctx: EmulatorContext, sub: SubscriptionRecord): OperationRecord {
  if (sub.endDate === undefined) throw badRequest('The subscription has no term to renew.');
  const next = termDates(new Date(renewalInstant(sub.endDate)), sub.termUnit);
  sub.startDate = next.startDate;
  sub.endDate = next.endDate;
  sub.isFreeTrial = false;
  touch(ctx, sub);
  scheduleTermEnd(ctx, sub);
  const op = createOperation(ctx, sub, { action: 'Renew', source: 'Azure', status: 'Succeeded' });
  ctx.webhooks.send(op, sub);
  return op;
}

/** At the end of the term: Renew when autoRenew, else Unsubscribe (only if still Subscribed on that term). */
export function scheduleTermEnd(ctx: EmulatorContext, sub: SubscriptionRecord): void {
  const endDate = sub.endDate;
  if (endDate === undefined) return;
  ctx.scheduler.at(renewalInstant(endDate), () => {
    if (sub.endDate !== endDate || sub.status !== 'Subscribed') return;
    if (sub.autoRenew) renew(ctx, sub);
    else unsubscribe(ctx, sub);
  });
}

/**
 * The customer actions `fireCustomerAction` accepts for `sub` now, so that the page offers nothing
 * else: plan and seat changes and Suspend while Subscribed (a seat change on per-seat plans, a plan
 * change when another plan takes the current seats), Renew while Subscribed with autoRenew and a term,
 * Reinstate while Suspended, Unsubscribe until Unsubscribed.
 */
export function availableActions(ctx: EmulatorContext, sub: SubscriptionRecord): CustomerAction[] {
  const actions: CustomerAction[] = [];
  if (sub.status === 'Subscribed') {
    if (switchablePlans(ctx, sub).length > 0) actions.push('ChangePlan');
    if (sub.quantity !== undefined) actions.push('ChangeQuantity');
    actions.push('Suspend');
    if (sub.autoRenew && sub.endDate !== undefined) actions.push('Renew');
  }
  if (sub.status === 'Suspended') actions.push('Reinstate');
  if (sub.status !== 'Unsubscribed') actions.push('Unsubscribe');
  return actions;
}

/** A customer- or Microsoft-side event (operationRequestSource `Azure`), as the control API fires it. */
export function fireCustomerAction(
  ctx: EmulatorContext,
  sub: SubscriptionRecord,
  input: { action: CustomerAction; planId?: string; quantity?: number },
): OperationRecord {
  switch (input.action) {
    case 'ChangePlan':
    case 'ChangeQuantity': {
      const body = input.action === 'ChangePlan' ? { planId: input.planId } : { quantity: input.quantity };
      const change = validateChange(ctx, sub, body, { enforceAllowedOperations: false });
      ensureNoPending(ctx, sub);
      const op = createOperation(ctx, sub, {
        action: change.action,
        source: 'Azure',
        status: 'NotStarted',
        ...(change.action === 'ChangePlan' ? { planId: change.planId } : { quantity: change.quantity }),
      });
      startAcknowledgeable(ctx, op, sub);
      return op;
    }
    case 'Suspend':
      if (sub.status !== 'Subscribed') throw badRequest(`Only Subscribed subscriptions can be suspended (this one is ${sub.status}).`);
      return suspend(ctx, sub);
    case 'Reinstate': {
      if (sub.status !== 'Suspended') throw badRequest(`Only Suspended subscriptions can be reinstated (this one is ${sub.status}).`);
      ensureNoPending(ctx, sub);
      const op = createOperation(ctx, sub, { action: 'Reinstate', source: 'Azure', status: 'NotStarted' });
      startAcknowledgeable(ctx, op, sub);
      return op;
    }
    case 'Renew':
      if (sub.status !== 'Subscribed') throw badRequest(`Only Subscribed subscriptions renew (this one is ${sub.status}).`);
      if (!sub.autoRenew) throw badRequest('autoRenew is false: at the end of the term the subscription is cancelled, not renewed.');
      return renew(ctx, sub);
    case 'Unsubscribe':
      if (sub.status === 'Unsubscribed') throw badRequest('The subscription is already Unsubscribed.');
      return unsubscribe(ctx, sub);
  }
}
