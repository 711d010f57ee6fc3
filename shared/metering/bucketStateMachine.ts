import { InvalidTransitionError } from '../errors';
import type { UsageEventResponse } from '../marketplace';
import { isFinalState, type UsageBucket } from './model';
import { MAX_USAGE_QUANTITY } from './quantity';

/**
 * The emission state machine of a bucket (pure; the caller writes the result with the ETag it read):
 *
 *   Open ──claim──▶ Emitting ──answer──▶ Emitted | Duplicate | Rejected
 *     ▲               │   └──nothing billable──▶ Empty
 *     └──call failed──┘   (a crashed run's claim expires and another run claims again)
 */
export type Completion =
  | { kind: 'answered'; sentQuantity: number; result: UsageEventResponse }
  | { kind: 'empty' }
  | { kind: 'expiredLocally' }
  /** The hour's total is more than one usage event can report: not sent. */
  | { kind: 'tooLarge'; quantity: number }
  | { kind: 'retry'; code: string; message: string };

/** True while another run holds the bucket. */
export function isClaimLive(bucket: UsageBucket, now: Date): boolean {
  return bucket.state === 'Emitting' && bucket.claim !== undefined && Date.parse(bucket.claim.expiresAt) > now.getTime();
}

/** Open (or Emitting with an expired claim) → Emitting, held by `token` until now + timeout. */
export function claimBucket(bucket: UsageBucket, options: { token: string; now: Date; timeoutMs: number }): UsageBucket {
  if (isFinalState(bucket.state)) throw new InvalidTransitionError(`usage bucket is already ${bucket.state}`);
  if (isClaimLive(bucket, options.now)) throw new InvalidTransitionError('usage bucket is claimed by another emission run');
  return {
    ...bucket,
    state: 'Emitting',
    claim: { token: options.token, expiresAt: new Date(options.now.getTime() + options.timeoutMs).toISOString() },
    attempts: bucket.attempts + 1,
    updatedAt: options.now.toISOString(),
  };
}

/** The call failed before Microsoft's answer was known: Open again, resent (same quantity) by the next run. */
export function releaseBucket(bucket: UsageBucket, failure: { now: Date; code: string; message: string }): UsageBucket {
  requireEmitting(bucket);
  const { claim: _claim, ...rest } = bucket;
  return { ...rest, state: 'Open', updatedAt: failure.now.toISOString(), lastError: { code: failure.code, message: failure.message, at: failure.now.toISOString() } };
}

/** Emitting → a final state, from Microsoft's per-event answer (or from a local decision). */
export function completeBucket(bucket: UsageBucket, completion: Exclude<Completion, { kind: 'retry' }>, now: Date): UsageBucket {
  requireEmitting(bucket);
  const { claim: _claim, lastError: _lastError, ...rest } = bucket;
  const at = now.toISOString();
  const base = { ...rest, updatedAt: at };
  if (completion.kind === 'empty') return { ...base, state: 'Empty', sentQuantity: 0, billedQuantity: 0 };
  if (completion.kind === 'expiredLocally') {
    return {
      ...base,
      state: 'Rejected',
      marketplaceStatus: 'Expired',
      billedQuantity: 0,
      lastError: { code: 'Expired', message: 'the hour could not be sent within 24 hours, so Microsoft would refuse it; it was not sent', at },
    };
  }
  if (completion.kind === 'tooLarge') {
    return {
      ...base,
      state: 'Rejected',
      marketplaceStatus: 'InvalidQuantity',
      billedQuantity: 0,
      lastError: {
        code: 'QuantityTooLarge',
        message: `the hour's total (${String(completion.quantity)}) is more than ${MAX_USAGE_QUANTITY.toLocaleString('en-US')} units, the most one usage event can report; it was not sent`,
        at,
      },
    };
  }
  const { result, sentQuantity } = completion;
  const status = result.status;
  if (status === 'Accepted') {
    return withoutUndefined({
      ...base,
      state: 'Emitted',
      sentQuantity,
      billedQuantity: result.quantity ?? sentQuantity,
      usageEventId: result.usageEventId,
      marketplaceStatus: status,
      messageTime: result.messageTime,
      emittedAt: at,
    });
  }
  if (status === 'Duplicate') {
    const original = result.error?.additionalInfo?.acceptedMessage;
    return withoutUndefined({
      ...base,
      state: 'Duplicate',
      sentQuantity,
      billedQuantity: original?.quantity,
      usageEventId: original?.usageEventId ?? result.usageEventId,
      marketplaceStatus: status,
      messageTime: original?.messageTime,
      emittedAt: at,
    });
  }
  return {
    ...base,
    state: 'Rejected',
    sentQuantity,
    billedQuantity: 0,
    marketplaceStatus: status,
    lastError: { code: result.error?.code ?? status, message: result.error?.message ?? `Microsoft answered ${status}`, at },
  };
}

function requireEmitting(bucket: UsageBucket): void {
  if (bucket.state !== 'Emitting') throw new InvalidTransitionError(`usage bucket is ${bucket.state}, not Emitting`);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
