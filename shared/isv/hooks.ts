import type { SubscriptionRecord } from '../subscription/model';

/**
 * How the ISV's own product hears about subscriptions. Three narrow ports with no-op defaults
 * (`noopIsvHooks`); the HTTP implementation (shared/isv/http*) POSTs signed CloudEvents 1.0 JSON.
 */

/** CloudEvents `type` values this app emits. */
export const ISV_EVENT_TYPES = [
  'saas.subscription.provision',
  'saas.subscription.activated',
  'saas.subscription.plan_changed',
  'saas.subscription.quantity_changed',
  'saas.subscription.renewed',
  'saas.subscription.suspended',
  'saas.subscription.reinstated',
  'saas.subscription.unsubscribed',
] as const;
export type IsvEventType = (typeof ISV_EVENT_TYPES)[number];

export interface IsvEvent {
  type: IsvEventType;
  /** CloudEvents `id` and the Idempotency-Key header: stable across retries of the same work. */
  id: string;
  /** The SaaS subscription id (CloudEvents `subject`). */
  subject: string;
  /** ISO time of the change (CloudEvents `time`). */
  time: string;
  data: {
    subscription: SubscriptionRecord;
    /** The marketplace operation behind the change, when there is one. */
    operationId?: string;
    /** What changed: e.g. `{ field: 'planId', from: 'basic', to: 'gold' }`. */
    changes?: ReadonlyArray<{ field: string; from: unknown; to: unknown }>;
  };
}

/** Asked before Activate: provision the tenant. Throwing fails the attempt (the queue retries). */
export interface ProvisioningHook {
  provision(event: IsvEvent, options?: { signal?: AbortSignal }): Promise<void>;
}

/** Told after every lifecycle change. Throwing makes the caller retry (delivery is at least once). */
export interface LifecycleNotifier {
  notify(event: IsvEvent, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface ChangeDecisionRequest {
  action: 'ChangePlan' | 'ChangeQuantity' | 'Reinstate';
  operationId: string;
  subscription: SubscriptionRecord;
  planId?: string;
  quantity?: number;
}

export interface ChangeDecision {
  accept: boolean;
  /** Why a change was refused; recorded in history and sent to nobody else. */
  reason?: string;
}

/** Asked whether a plan / seat change (or a reinstatement) is acceptable, inside Microsoft's 10 s window. */
export interface ChangeDecisionHook {
  decide(request: ChangeDecisionRequest, options: { signal: AbortSignal }): Promise<ChangeDecision>;
}

export interface IsvHooks extends ProvisioningHook, LifecycleNotifier, ChangeDecisionHook {}

/** The default when no ISV endpoint is configured: provisioning succeeds, every change is accepted. */
export const noopIsvHooks: IsvHooks = {
  provision: () => Promise.resolve(),
  notify: () => Promise.resolve(),
  decide: () => Promise.resolve({ accept: true }),
};
