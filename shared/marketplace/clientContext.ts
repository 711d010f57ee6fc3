import { type Clock } from '../clock';
import { MarketplaceApiError } from './errors';
import { type ResponseIds } from './responses';
import { type Send } from './transport';
import { type UrlPolicy } from './urls';

/** What the method groups share: the transport, URL policy, clock and id source. */
export interface ClientContext {
  send: Send;
  urls: UrlPolicy;
  clock: Clock;
  newId: () => string;
}

export function malformed(operation: string, message: string, ids: ResponseIds = {}, status?: number): MarketplaceApiError {
  return new MarketplaceApiError({ kind: 'malformedResponse', operation, status, serviceMessage: message, ...ids });
}

/** A non-empty string without control characters, or a TypeError (a programming mistake). */
export function requireText(name: string, value: string): string {
  const valid =
    typeof value === 'string' &&
    value.trim() !== '' &&
    ![...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  if (!valid) {
    throw new TypeError(`${name} must be a non-empty string without control characters`);
  }
  return value;
}

export function isoString(value: string | Date): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value.getTime())) throw new RangeError('Invalid Date');
  return value.toISOString();
}
