import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logging';
import type { Catalog } from './catalog';
import type { SigningKey } from './jwt';
import type { EmulatorState, OperationRecord, SubscriptionRecord } from './model';
import type { EmulatorClock, Scheduler } from './scheduler';

/** Who the emulated Entra tenant and Marketplace talk to. */
export interface PublisherIdentity {
  readonly tenantId: string;
  /** The publisher app's client id: accepted by the token endpoint, `aud` of webhook tokens. */
  readonly appId: string;
  readonly clientSecret: string;
  /** `X-IDENTITY-HEADER` value the managed-identity endpoint expects. */
  readonly identityHeader: string;
  /** `oid`/`sub` of the Marketplace service principal in the publisher tenant (webhook tokens). */
  readonly marketplaceObjectId: string;
}

export interface EmulatorUrls {
  /** http://127.0.0.1:port */
  http: string;
  /** http://127.0.0.1:port/api */
  api: string;
  /** https://127.0.0.1:port2 */
  authority: string;
}

/** Sends lifecycle webhooks; implemented by webhooks.ts. */
export interface WebhookSender {
  send(op: OperationRecord, sub: SubscriptionRecord): void;
}

/** Everything the API modules share. One per emulator instance. */
export interface EmulatorContext {
  readonly state: EmulatorState;
  readonly catalog: Catalog;
  /** Business time: purchase-token expiry, ack windows, metering window, renewals. */
  readonly clock: EmulatorClock;
  /** Time for JWT `iat`/`nbf`/`exp` and bearer checks: the injected clock, never shifted by the control API. */
  readonly tokenClock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly identity: PublisherIdentity;
  /** Signing keys; the first one signs, all are published in the JWKS. */
  readonly keys: readonly [SigningKey, ...SigningKey[]];
  readonly urls: EmulatorUrls;
  readonly webhooks: WebhookSender;
}

export function nowIso(ctx: EmulatorContext): string {
  return ctx.clock.now().toISOString();
}
