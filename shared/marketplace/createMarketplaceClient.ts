import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock';
import { silentLogger } from '../logging';
import { noTelemetry, type Telemetry } from '../telemetry/telemetry';
import { createFulfillmentMethods } from './fulfillmentMethods';
import { sendHttp } from './httpSender';
import { type MarketplaceApi, type MarketplaceClientOptions } from './marketplaceApi';
import { createMeteringMethods } from './meteringMethods';
import { createOperationMethods } from './operationMethods';
import { createTransport } from './transport';
import { createUrlPolicy } from './urls';

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function positive(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) throw new RangeError(`${name} must be a number ≥ ${minimum}`);
  return value;
}

/**
 * The Marketplace API client. Throws UntrustedHostError when `baseUrl` is plain http on a
 * non-loopback host, RangeError on nonsensical numeric options.
 */
export function createMarketplaceClient(options: MarketplaceClientOptions): MarketplaceApi {
  return marketplaceClientsFor(options)(options.telemetry ?? noTelemetry);
}

/**
 * The same client for any telemetry: the options are checked and the URL policy built once, the
 * credential (and its token cache) and the keep-alive agents are shared, and each call gives a
 * client whose spans come from that telemetry (one invocation's). Only the transport function and
 * the method table are built per call.
 */
export function marketplaceClientsFor(options: Omit<MarketplaceClientOptions, 'telemetry'>): (telemetry: Telemetry) => MarketplaceApi {
  const urls = createUrlPolicy(options.baseUrl, options.extraAllowedHosts);
  const clock = options.clock ?? systemClock;
  const newId = options.newId ?? randomUUID;
  const settings = {
    credential: options.credential,
    urls,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000, 1),
    maxAttempts: Math.floor(positive('maxAttempts', options.maxAttempts ?? 4, 1)),
    retryBudgetMs: positive('retryBudgetMs', options.retryBudgetMs ?? 30_000, 0),
    logger: options.logger ?? silentLogger,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    newId,
    clock,
    http: options.http ?? sendHttp,
  };
  return (telemetry) => {
    const send = createTransport({ ...settings, telemetry });
    const ctx = { send, urls, clock, newId };
    return { ...createFulfillmentMethods(ctx), ...createOperationMethods(ctx), ...createMeteringMethods(ctx) };
  };
}
