import type { Clock } from '../../shared/clock';
import { MarketplaceApiError } from '../../shared/marketplace/errors';
import type { BatchUsageEventResult, UsageEvent, UsageEventResponse } from '../../shared/marketplace/schemas/metering';

const HOUR_MS = 3_600_000;

export interface AcceptedUsageEvent {
  usageEventId: string;
  resourceId: string;
  dimension: string;
  /** Hour start, ISO. */
  hour: string;
  quantity: number;
  planId: string;
}

/**
 * Microsoft's metering API in memory, as documented (marketplace-api.md §7): at most 25 events per
 * call, one accepted event per resource, dimension and hour (a repeat answers Duplicate with the
 * original in `error.additionalInfo.acceptedMessage`), Expired outside the 24-hour window,
 * ResourceNotActive for inactive subscriptions. Failures can be injected before or after the
 * events are processed (the answer lost on the way back).
 */
export class InMemoryUsageMarketplace {
  readonly accepted = new Map<string, AcceptedUsageEvent>();
  /** Every event of every call, as sent. */
  readonly received: UsageEvent[] = [];
  calls = 0;
  readonly inactive = new Set<string>();
  private failures: Array<'before' | 'after'> = [];
  private ids = 0;

  constructor(private readonly clock: Clock) {}

  /** The next calls fail: `before` = nothing processed, `after` = processed but the answer is lost. */
  failNext(...when: Array<'before' | 'after'>): void {
    this.failures.push(...when);
  }

  /** Drops the failures not yet used (Microsoft is healthy again). */
  clearFailures(): void {
    this.failures = [];
  }

  /** Seeds an hour that Microsoft already holds (sent by someone else, or by an earlier run). */
  hold(event: Omit<AcceptedUsageEvent, 'usageEventId'>): AcceptedUsageEvent {
    const stored = { ...event, usageEventId: this.nextId() };
    this.accepted.set(keyOf(event.resourceId, event.dimension, event.hour), stored);
    return stored;
  }

  postBatchUsageEvents = (events: readonly UsageEvent[]): Promise<BatchUsageEventResult> => {
    this.calls += 1;
    if (events.length < 1 || events.length > 25) return Promise.reject(new RangeError(`batch of ${events.length}`));
    const failure = this.failures.shift();
    if (failure === 'before') return Promise.reject(transportError());
    this.received.push(...events);
    const result = events.map((event) => this.evaluate(event));
    if (failure === 'after') return Promise.reject(transportError());
    return Promise.resolve({ count: result.length, result });
  };

  private evaluate(event: UsageEvent): UsageEventResponse {
    const resourceId = String(event.resourceId);
    const hourMs = Math.floor(new Date(event.effectiveStartTime).getTime() / HOUR_MS) * HOUR_MS;
    const hour = new Date(hourMs).toISOString();
    const echo = { resourceId, dimension: event.dimension, quantity: event.quantity, planId: event.planId, effectiveStartTime: hour, messageTime: this.clock.now().toISOString() };
    if (hourMs < this.clock.now().getTime() - 24 * HOUR_MS) return { ...echo, status: 'Expired', error: { code: 'Expired', message: 'older than 24 hours' } };
    if (this.inactive.has(resourceId)) return { ...echo, status: 'ResourceNotActive', error: { code: 'ResourceNotActive', message: 'not Subscribed' } };
    const key = keyOf(resourceId, event.dimension, hour);
    const original = this.accepted.get(key);
    if (original !== undefined) {
      const acceptedMessage: UsageEventResponse = { ...echo, ...original, effectiveStartTime: original.hour, status: 'Duplicate' };
      return { ...echo, status: 'Duplicate', error: { code: 'Conflict', message: 'This usage event already exist.', additionalInfo: { acceptedMessage } } };
    }
    const stored: AcceptedUsageEvent = { usageEventId: this.nextId(), resourceId, dimension: event.dimension, hour, quantity: event.quantity, planId: event.planId };
    this.accepted.set(key, stored);
    return { ...echo, usageEventId: stored.usageEventId, status: 'Accepted' };
  }

  private nextId(): string {
    this.ids += 1;
    return `00000000-0000-4000-9000-${String(this.ids).padStart(12, '0')}`;
  }
}

function keyOf(resourceId: string, dimension: string, hour: string): string {
  return `${resourceId}|${dimension}|${hour}`;
}

function transportError(): MarketplaceApiError {
  return new MarketplaceApiError({ kind: 'timeout', operation: 'postBatchUsageEvents', attempts: 4 });
}
