import { DOCUMENTED_OPERATIONS, type DocumentedOperation } from './adminOperations';
import { SCHEMAS } from './schemas';

/** host.json `extensions.http.routePrefix`. */
export const ROUTE_PREFIX = 'api';

/** `subscriptions/{subscriptionId}` → `/subscriptions/{subscriptionId}` (OpenAPI path under the `/api` server). */
export function openApiPath(route: string): string {
  return `/${route}`;
}

function pathParameters(route: string): Array<Record<string, unknown>> {
  return [...route.matchAll(/\{([^}:?]+)[^}]*\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

function operationObject(op: DocumentedOperation): Record<string, unknown> {
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema === undefined ? {} : { content: { 'application/json': { schema: { $ref: `#/components/schemas/${response.schema}` } } } }),
        ...(response.headers === undefined
          ? {}
          : { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }),
      },
    ]),
  );
  // The one JSON rule (shared/http/readJsonBody.ts): application/json or no Content-Type; anything else is 415.
  if (op.requestBody !== undefined) responses['415'] = { description: 'The body was sent with a content type other than application/json (none is fine too)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  responses['401'] = { description: op.authLevel === 'admin' ? 'Missing or wrong master key' : 'Missing or wrong function key' };
  return {
    operationId: op.functionName,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
    parameters: [...pathParameters(op.route), ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema }))],
    ...(op.requestBody === undefined
      ? {}
      : { requestBody: { required: op.requestBody.required, description: 'JSON, sent with `content-type: application/json` or with no content type', content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.requestBody.schema}` } } } } }),
    responses,
    security: op.authLevel === 'admin' ? [{ masterKeyHeader: [] }, { masterKeyQuery: [] }] : [{ functionKeyHeader: [] }, { functionKeyQuery: [] }],
    'x-azure-functions': { function: op.functionName, authLevel: op.authLevel },
  };
}

/**
 * The OpenAPI 3 description of the app's keyed HTTP API (admin, usage, poison queues), built from
 * DOCUMENTED_OPERATIONS and SCHEMAS; served at `/api/openapi.json`.
 */
export function buildOpenApiDocument(version = '0.1.0'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of DOCUMENTED_OPERATIONS) {
    const path = openApiPath(op.route);
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  const key = (name: string, location: 'header' | 'query', description: string) => ({ type: 'apiKey', name, in: location, description });
  return {
    openapi: '3.0.3',
    info: {
      title: 'saas-fulfillment admin API',
      version,
      description:
        'The publisher’s API of the Azure Marketplace SaaS fulfillment app: stored subscriptions, publisher-initiated changes with status URLs, reconciliation, usage and poison queues. Every operation needs a key (Azure Functions keys). See docs/admin-api.md.',
    },
    servers: [{ url: `/${ROUTE_PREFIX}` }],
    tags: [...new Set(DOCUMENTED_OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        functionKeyHeader: key('x-functions-key', 'header', 'A function key of the operation, a host key or the master key'),
        functionKeyQuery: key('code', 'query', 'The same key as a query parameter'),
        masterKeyHeader: key('x-functions-key', 'header', 'The master key (`_master`)'),
        masterKeyQuery: key('code', 'query', 'The master key as a query parameter'),
      },
    },
  };
}
