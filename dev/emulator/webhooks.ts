import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logging';
import type { Catalog } from './catalog';
import type { WebhookSender } from './context';
import type { FaultInjector } from './faults';
import type { DeliveryRecord, EmulatorState, OperationRecord, SubscriptionRecord, TokenVersion } from './model';
import type { Timers } from './timers';
import { webhookPayload } from './views';

/**
 * Microsoft retries "500 times over 8 hours"; the emulator keeps the shape (exponential back-off,
 * bounded) but scaled down. Tests use a few milliseconds.
 */
export interface WebhookRetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Per-attempt timeout; a timeout counts as a failed attempt. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  maxAttempts: 12,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  factor: 2,
  timeoutMs: 10_000,
};

export interface WebhookDispatcherDeps {
  state: EmulatorState;
  catalog: Catalog;
  logger: Logger;
  faults: FaultInjector;
  timers: Timers;
  policy: WebhookRetryPolicy;
  now: () => string;
  /** Runs due scheduled work (so an ack window that just closed is seen before judging an answer). */
  tick: () => void;
  signToken: (version: TokenVersion) => string;
  /** A 4xx answer: rejects the operation when it can still be rejected; returns whether it did. */
  reject: (operationId: string, httpStatus: number) => boolean;
}

/** POSTs lifecycle events to the configured loopback webhook, with a bearer JWT, retries and faults. */
export class WebhookDispatcher implements WebhookSender {
  private held: DeliveryRecord[] = [];
  private readonly injectedFailures = new Map<string, number>();
  private readonly inflight = new Set<AbortController>();
  private stopped = false;
  /** Bumped by reset(): attempts started before it are abandoned. */
  private generation = 0;

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  send(op: OperationRecord, sub: SubscriptionRecord): void {
    const { state, faults, logger } = this.deps;
    const record: DeliveryRecord = {
      id: randomUUID(),
      operationId: op.id,
      subscriptionId: sub.id,
      action: op.action,
      url: state.config.webhookUrl,
      status: 'pending',
      payload: webhookPayload(this.deps.catalog, op, sub),
      attempts: [],
      faults: [],
    };
    state.deliveries.push(record);
    if (state.config.webhookUrl === undefined) {
      record.status = 'skipped';
      logger.warn('emulator webhook not sent: no webhook URL configured', { operationId: op.id, action: op.action });
      return;
    }
    const fault = faults.takeWebhook(op.action);
    if (fault) record.faults.push(fault.effect);
    if (fault?.effect === 'drop') {
      record.status = 'dropped';
      return;
    }
    if (fault?.effect === 'hold') {
      record.status = 'held';
      this.held.push(record);
      this.deps.timers.after(fault.holdMs, () => this.release(record));
      return;
    }
    if (fault?.effect === 'fail') this.injectedFailures.set(record.id, fault.failures);
    this.start(record, true);
    if (fault?.effect === 'duplicate') {
      const copy: DeliveryRecord = { ...record, id: randomUUID(), attempts: [], faults: ['duplicate'], duplicateOf: record.id };
      state.deliveries.push(copy);
      this.start(copy, false);
    }
  }

  /** Sends every held delivery now (the out-of-order fault). */
  releaseHeld(): number {
    const held = [...this.held];
    for (const record of held) this.release(record);
    return held.length;
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.inflight) controller.abort();
  }

  reset(): void {
    this.generation += 1;
    this.held = [];
    this.injectedFailures.clear();
    for (const controller of this.inflight) controller.abort();
  }

  private release(record: DeliveryRecord): void {
    if (record.status !== 'held') return;
    this.held = this.held.filter((candidate) => candidate !== record);
    record.status = 'pending';
    this.start(record, false);
  }

  /** First attempt; deliveries held back are released once a later one has been tried. */
  private start(record: DeliveryRecord, releasesHeld: boolean): void {
    void this.attempt(record).then(() => {
      if (releasesHeld) this.releaseHeld();
    });
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    const { state, policy, logger } = this.deps;
    const url = state.config.webhookUrl ?? record.url;
    const generation = this.generation;
    if (this.stopped || url === undefined) return;
    record.url = url;
    const controller = new AbortController();
    this.inflight.add(controller);
    this.deps.timers.after(policy.timeoutMs, () => controller.abort());
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.deps.signToken(state.config.tokenVersion)}` },
        body: JSON.stringify(record.payload),
        signal: controller.signal,
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (caught) {
      error = controller.signal.aborted ? 'timeout or emulator stopped' : caught instanceof Error ? (caught.cause instanceof Error ? caught.cause.message : caught.message) : String(caught);
    } finally {
      this.inflight.delete(controller);
    }
    if (this.stopped || generation !== this.generation) return;
    const injectedLeft = this.injectedFailures.get(record.id) ?? 0;
    const injected = injectedLeft > 0;
    if (injected) this.injectedFailures.set(record.id, injectedLeft - 1);
    record.attempts.push({ at: this.deps.now(), ...(status === undefined ? {} : { status }), ...(error === undefined ? {} : { error }), ...(injected ? { injectedFailure: true } : {}) });
    this.deps.tick();
    if (!injected && status !== undefined && status >= 200 && status < 300) {
      record.status = 'delivered';
      return;
    }
    if (!injected && status !== undefined && status >= 400 && status < 500 && this.deps.reject(record.operationId, status)) {
      record.status = 'rejected';
      return;
    }
    if (record.attempts.length >= policy.maxAttempts) {
      record.status = 'failed';
      logger.warn('emulator webhook delivery failed for good', { deliveryId: record.id, action: record.action, attempts: record.attempts.length });
      return;
    }
    record.status = 'retrying';
    const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (record.attempts.length - 1));
    this.deps.timers.after(delay, () => void this.attempt(record));
  }
}
