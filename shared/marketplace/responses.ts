import { type z } from 'zod';
import { MarketplaceApiError } from './errors';
import { describeIssues } from './schemas/lenient';

/** Ids Microsoft support asks for; taken from the response headers, falling back to what we sent. */
export interface ResponseIds {
  requestId?: string;
  correlationId?: string;
  activityId?: string;
}

export interface MarketplaceResponse {
  status: number;
  headers: Headers;
  text: string;
  ids: ResponseIds;
}

export function responseIds(headers: Headers, sent: { requestId: string; correlationId: string }): ResponseIds {
  return {
    requestId: headers.get('x-ms-requestid') ?? sent.requestId,
    correlationId: headers.get('x-ms-correlationid') ?? sent.correlationId,
    activityId: headers.get('x-ms-activityid') ?? undefined,
  };
}

const MAX_MESSAGE_LENGTH = 500;

/**
 * Reads `{ error: { code, message } }`, `{ code, message }` or a mix of both, whatever the status.
 * Values listed in `secrets` (the purchase token) are cut out in case the service echoes them.
 */
export function parseServiceError(text: string, secrets: readonly string[] = []): { serviceCode?: string; serviceMessage?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const nested = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : {};
  const pick = (...values: unknown[]): string | undefined => values.find((v): v is string => typeof v === 'string' && v !== '');
  const code = pick(nested.code, record.code);
  const message = pick(nested.message, record.message);
  return {
    serviceCode: code === undefined ? undefined : scrub(code, secrets),
    serviceMessage: message === undefined ? undefined : scrub(message, secrets),
  };
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    out = out.split(secret).join('[REDACTED]').split(encodeURIComponent(secret)).join('[REDACTED]');
  }
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
}

/**
 * Parses a success body with `schema`. An empty body gives `empty` when the call allows it (list
 * calls: the docs say "empty body" when there is nothing). Invalid JSON or a body missing required
 * fields is a `malformedResponse` error; the message names the failing paths, never the values.
 */
export function parseBody<T>(
  response: MarketplaceResponse,
  schema: z.ZodType<T>,
  operation: string,
  empty?: () => T,
): T {
  // No `cause`: a JSON SyntaxError quotes the body, which may hold e-mail addresses.
  const fail = (serviceMessage: string): MarketplaceApiError =>
    new MarketplaceApiError({ kind: 'malformedResponse', operation, status: response.status, serviceMessage, ...response.ids });
  if (response.text.trim() === '') {
    if (empty) return empty();
    throw fail('empty body');
  }
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    throw fail('body is not valid JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw fail(`unexpected shape (${describeIssues(result.error.issues)})`);
  }
  return result.data;
}
