import { ServiceError } from '../errors';

/**
 * - `http`: the service answered with a non-success status (`status` is set).
 * - `timeout`: no complete answer within `requestTimeoutMs`.
 * - `network`: the connection failed (DNS, refused, reset, TLS).
 * - `malformedResponse`: a success status whose body (or headers) we could not understand.
 */
export type MarketplaceErrorKind = 'http' | 'timeout' | 'network' | 'malformedResponse';

export interface MarketplaceApiErrorInit {
  kind: MarketplaceErrorKind;
  /** The client method that failed, e.g. `getSubscription`. */
  operation: string;
  status?: number;
  serviceCode?: string;
  serviceMessage?: string;
  requestId?: string;
  correlationId?: string;
  activityId?: string;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/**
 * Any failed Marketplace API call. Carries the ids Microsoft support asks for. The message never
 * contains a bearer or purchase token (the client scrubs the purchase token from service messages).
 */
export class MarketplaceApiError extends ServiceError {
  readonly kind: MarketplaceErrorKind;
  readonly operation: string;
  readonly status: number | undefined;
  readonly serviceCode: string | undefined;
  readonly serviceMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly activityId: string | undefined;
  readonly attempts: number;

  constructor(init: MarketplaceApiErrorInit) {
    const { cause, ...fields } = init;
    super('MarketplaceRequestFailed', describe(init), { cause, details: { ...fields } });
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = init.status;
    this.serviceCode = init.serviceCode;
    this.serviceMessage = init.serviceMessage;
    this.requestId = init.requestId;
    this.correlationId = init.correlationId;
    this.activityId = init.activityId;
    this.attempts = init.attempts ?? 1;
  }
}

function describe(init: MarketplaceApiErrorInit): string {
  const what =
    init.kind === 'http'
      ? `HTTP ${String(init.status)}${init.serviceCode ? ` ${init.serviceCode}` : ''}${init.serviceMessage ? `: ${init.serviceMessage}` : ''}`
      : init.kind === 'malformedResponse'
        ? `malformed response${init.serviceMessage ? `: ${init.serviceMessage}` : ''}`
        : init.kind;
  const ids = [
    init.requestId && `requestId ${init.requestId}`,
    init.correlationId && `correlationId ${init.correlationId}`,
    init.activityId && `activityId ${init.activityId}`,
  ].filter(Boolean);
  return `Marketplace ${init.operation} failed (${what})${ids.length > 0 ? ` [${ids.join(', ')}]` : ''}`;
}

/**
 * A URL (from `@nextLink`, `Operation-Location` or configuration) points at a host that must not
 * receive our bearer token, or uses plain http on a non-loopback host. Nothing was sent.
 */
export class UntrustedHostError extends ServiceError {
  readonly host: string;

  constructor(host: string, reason: string) {
    super('UntrustedHost', `Refusing to send Marketplace credentials to ${host}: ${reason}`, { details: { host } });
    this.host = host;
  }
}
