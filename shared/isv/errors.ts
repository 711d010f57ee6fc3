import { ServiceError } from '../errors';

export type IsvHookName = 'provision' | 'notify';

/** `http`: the endpoint answered with a non-2xx status; `timeout` / `network`: no answer. */
export type IsvHookFailureKind = 'http' | 'timeout' | 'network';

export interface IsvHookErrorInit {
  hook: IsvHookName;
  kind: IsvHookFailureKind;
  eventId: string;
  eventType: string;
  status?: number;
  /** The `reason` the ISV put in its JSON answer, when it gave one. */
  isvReason?: string;
  timeoutMs?: number;
  /** The `code` of a network error (ECONNREFUSED …), when known. */
  networkCode?: string;
  cause?: unknown;
}

/** 408, 429 and 5xx are worth another attempt; other statuses are the ISV's answer. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * The ISV's webhook did not take the event. Always thrown (the queue retries, then poisons);
 * `retryable` tells the caller whether another attempt can help: false means the ISV refused
 * (4xx other than 408/429, or a redirect, which is never followed) and the code is
 * `IsvHookRejected`; true means it was unavailable (5xx, 408, 429, timeout, network) and the code
 * is `IsvHookUnavailable`. The message is fit for the subscription's `lastError`.
 */
export class IsvHookError extends ServiceError {
  readonly hook: IsvHookName;
  readonly kind: IsvHookFailureKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly eventId: string;
  readonly eventType: string;
  readonly isvReason: string | undefined;

  constructor(init: IsvHookErrorInit) {
    const retryable = init.kind !== 'http' || isRetryableStatus(init.status ?? 500);
    const { cause, hook, kind, status, eventId, eventType } = init;
    super(retryable ? 'IsvHookUnavailable' : 'IsvHookRejected', describe(init, retryable), {
      cause,
      details: { hook, kind, status, eventId, eventType, retryable },
    });
    this.hook = hook;
    this.kind = kind;
    this.status = status;
    this.retryable = retryable;
    this.eventId = eventId;
    this.eventType = eventType;
    this.isvReason = init.isvReason;
  }
}

function describe(init: IsvHookErrorInit, retryable: boolean): string {
  const endpoint = init.hook === 'provision' ? 'The ISV provisioning endpoint' : 'The ISV notification endpoint';
  switch (init.kind) {
    case 'timeout':
      return `${endpoint} did not answer within ${String(init.timeoutMs)} ms`;
    case 'network':
      return `${endpoint} could not be reached${init.networkCode ? ` (${init.networkCode})` : ''}`;
    case 'http': {
      const verb = retryable ? 'failed' : 'refused the event';
      return `${endpoint} ${verb} (HTTP ${String(init.status)})${init.isvReason ? `: ${init.isvReason}` : ''}`;
    }
  }
}
