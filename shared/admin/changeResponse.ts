import type { HttpResponseInit } from '@azure/functions';
import { json } from '../http/responses';
import type { ChangeRequestResult } from '../publisherOperations';

/** The status URL of a publisher request (host.json routePrefix `api`). */
export function statusUrl(requestId: string): string {
  return `/api/operations/${encodeURIComponent(requestId)}`;
}

/**
 * 202 + `Location` (the status URL) + `Retry-After` when Microsoft accepted the change. When it
 * refused (400 / 404 / 409) the same status comes back, and 502 when it gave no usable answer; the
 * body says why and `Location` points at the request's row, which records the same error.
 */
export function changeResponse(result: ChangeRequestResult, invocationId: string): HttpResponseInit {
  const location = statusUrl(result.operation.id);
  if (result.outcome === 'accepted') {
    return json(202, { ...result.operation, statusUrl: location }, { Location: location, 'Retry-After': String(result.retryAfterSeconds) });
  }
  const status = result.outcome === 'refused' && result.marketplaceStatus !== undefined ? result.marketplaceStatus : 502;
  const error = result.operation.error;
  const body = {
    error: {
      code: error?.code ?? 'MarketplaceRefused',
      message: error?.message ?? 'Microsoft refused the change',
      details: { statusUrl: location, marketplaceStatus: result.marketplaceStatus ?? null, requestId: result.operation.id },
      invocationId,
    },
  };
  return json(status, body, { Location: location });
}
