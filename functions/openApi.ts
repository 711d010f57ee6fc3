import { app, type HttpResponseInit } from '@azure/functions';
import { json } from '../shared/http/responses';
import { buildOpenApiDocument } from '../shared/openapi';

let document: Record<string, unknown> | undefined;

/** GET /api/openapi.json: the OpenAPI 3 description of the keyed API (function key, like the API it describes). */
export function openApi(): Promise<HttpResponseInit> {
  document ??= buildOpenApiDocument();
  return Promise.resolve(json(200, document));
}

app.http('openApi', { route: 'openapi.json', methods: ['GET'], authLevel: 'function', handler: openApi });
