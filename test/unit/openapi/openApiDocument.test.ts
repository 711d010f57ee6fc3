import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApi } from '../../../functions/openApi';
import { buildOpenApiDocument, DOCUMENTED_OPERATIONS, ROUTE_PREFIX } from '../../../shared/openapi';
import type { FunctionsCoreStub } from '../../support/functionsCoreStub';
import type * as functionsCoreStub from '../../support/functionsCoreStub';

// The worker provides @azure/functions-core at run time; here a stub captures what the app registers.
jest.mock(
  '@azure/functions-core',
  () => jest.requireActual<typeof functionsCoreStub>('../../support/functionsCoreStub').createFunctionsCoreStub(),
  { virtual: true },
);

type Document = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { operationId: string; security: Array<Record<string, unknown>>; 'x-azure-functions': { authLevel: string } }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

/** "METHOD /api/route name authLevel" for every keyed HTTP function the app registers. */
function keyedRoutes(core: FunctionsCoreStub): string[] {
  return core.registrations
    .flatMap(({ metadata }) => {
      const trigger = Object.values(metadata.bindings).find((binding) => binding.type === 'httpTrigger');
      if (trigger === undefined || trigger.authLevel === 'anonymous') return [];
      const methods = (trigger.methods as string[] | undefined) ?? [];
      const route = (trigger.route as string | undefined) ?? metadata.name;
      return methods.map((method) => `${method.toUpperCase()} /${ROUTE_PREFIX}/${route} ${metadata.name} ${String(trigger.authLevel)}`);
    })
    .sort();
}

/** The same four facts, read from the OpenAPI document. */
function documentedRoutes(document: Document): string[] {
  const server = document.servers[0]?.url ?? '';
  return Object.entries(document.paths)
    .flatMap(([route, operations]) =>
      Object.entries(operations).map(([method, op]) => `${method.toUpperCase()} ${server}${route} ${op.operationId} ${op['x-azure-functions'].authLevel}`),
    )
    .sort();
}

function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => (key === '$ref' && typeof child === 'string' ? [child] : refs(child)));
}

describe('the OpenAPI description of the keyed API', () => {
  let core: FunctionsCoreStub;
  const document = buildOpenApiDocument() as unknown as Document;

  beforeAll(async () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'functions');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) await import(path.join(dir, file));
    core = jest.requireMock<FunctionsCoreStub>('@azure/functions-core');
  });

  it('describes exactly the keyed HTTP routes the app registers, with their methods, function names and key levels', () => {
    // Prepare
    const registered = keyedRoutes(core);

    // Act
    const documented = documentedRoutes(document);

    // Assess
    expect(registered.length).toBeGreaterThan(0);
    expect(documented).toEqual(registered);
  });

  it('serves under the route prefix of host.json', () => {
    // Prepare
    const host = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'host.json'), 'utf8')) as { extensions: { http: { routePrefix: string } } };

    // Assess
    expect(document.servers).toEqual([{ url: `/${host.extensions.http.routePrefix}` }]);
  });

  it('resolves every schema reference to a component', () => {
    // Act
    const missing = refs(document.paths).filter((ref) => !(ref.replace('#/components/schemas/', '') in document.components.schemas));

    // Assess
    expect(missing).toEqual([]);
  });

  it('asks for the master key on admin-level operations and a function key on the others', () => {
    // Act
    const schemes = DOCUMENTED_OPERATIONS.map((op) => [op.authLevel, Object.keys(document.paths[`/${op.route}`]?.[op.method]?.security[0] ?? {})[0]]);

    // Assess
    for (const [level, scheme] of schemes) expect(scheme).toBe(level === 'admin' ? 'masterKeyHeader' : 'functionKeyHeader');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['functionKeyHeader', 'functionKeyQuery', 'masterKeyHeader', 'masterKeyQuery']);
  });

  it('is served as JSON by GET /api/openapi.json', async () => {
    // Prepare (the handler needs no input)

    // Act
    const response = await openApi();

    // Assess
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ openapi: '3.0.3', info: { title: 'saas-fulfillment admin API' } });
  });
});
