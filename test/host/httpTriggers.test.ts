import { FIXTURE_DIR, spawnHost, type HostProcess } from './support/hostProcess';

const HTTP_ENTRIES = [`${FIXTURE_DIR}/http.js`, `${FIXTURE_DIR}/hooks.js`];
const KEYS = {
  FUNCTIONS_MASTER_KEY: 'master-key-1',
  FUNCTIONS_HOST_KEY: 'host-key-1',
  FUNCTIONS_FUNCTION_KEYS: JSON.stringify({ secured: 'secured-key-1', otherSecured: 'other-key-1' }),
};

describe('local host: HTTP triggers', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await spawnHost({ entries: HTTP_ENTRIES, env: KEYS });
  });

  afterAll(async () => {
    await host.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${host.url}${path}`, { headers });

  describe('routing', () => {
    it('passes an int route value and the query to the handler', async () => {
      // Prepare
      const path = '/api/items/42?filter=open';

      // Act
      const response = await get(path);

      // Assess
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: '42', filter: 'open', functionName: 'getItem' });
    });

    it.each(['/api/items/abc', '/api/items/4.2', '/api/items/99999999999', '/api/items/42/extra', '/api/nowhere'])(
      'answers 404 for %s, which no route template accepts',
      async (path) => {
        // Prepare (the fixture routes items/{id:int})

        // Act
        const response = await get(path);

        // Assess
        expect(response.status).toBe(404);
      },
    );

    it.each([
      ['/api/pages/3', { page: '3' }],
      ['/api/pages', { page: null }],
      ['/api/files/docs/2026/report.pdf', { path: 'docs/2026/report.pdf' }],
      ['/api/files', { path: null }],
      ['/API/Items/7', { id: '7', filter: null, functionName: 'getItem' }],
    ])('matches optional, catch-all and case-insensitive templates: %s', async (path, expected) => {
      // Prepare (pages/{page:int?} and files/{*path})

      // Act
      const response = await get(path);

      // Assess
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    });

    it('serves a function without a route at its name', async () => {
      // Prepare
      const headers = { 'x-functions-key': 'secured-key-1' };

      // Act
      const response = await get('/api/secured', headers);

      // Assess
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('secured ok');
    });
  });

  describe('methods', () => {
    it('routes the same template to the function registered for the request method', async () => {
      // Prepare
      const body = JSON.stringify({ name: 'widget' });

      // Act
      const response = await fetch(`${host.url}/api/items`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

      // Assess
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ received: { name: 'widget' } });
    });

    it.each(['POST', 'DELETE', 'HEAD'])('answers 404 (not 405, like the host) to %s on a GET-only route', async (method) => {
      // Prepare (getItem allows GET only)

      // Act
      const response = await fetch(`${host.url}/api/items/42`, { method });

      // Assess
      expect(response.status).toBe(404);
    });
  });

  describe('request and response conversion', () => {
    it('writes back status, headers, cookies and body bytes from the handler', async () => {
      // Prepare
      const bytes = Buffer.from([0, 1, 2, 250, 255]);

      // Act
      const response = await fetch(`${host.url}/api/respond`, { method: 'POST', body: bytes, headers: { 'x-custom': 'hello' } });

      // Assess
      expect(response.status).toBe(202);
      expect(response.headers.get('x-echo-method')).toBe('POST');
      expect(response.headers.get('x-echo-header')).toBe('hello');
      expect(response.headers.get('set-cookie')).toBe('session=abc; path=/; samesite=lax; httponly');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    });

    it('answers 500 without any detail of the error when the handler throws', async () => {
      // Prepare (explode throws an error mentioning a password)

      // Act
      const response = await get('/api/explode');

      // Assess
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('');
    });

    it('answers 204 when the handler returns nothing', async () => {
      // Prepare (nothing returns undefined)

      // Act
      const response = await get('/api/nothing');

      // Assess
      expect(response.status).toBe(204);
    });

    it('runs appStart, preInvocation and postInvocation hooks around the handler', async () => {
      // Prepare (hooks.js decorates the result of "hooked")

      // Act
      const response = await get('/api/hooked');

      // Assess
      expect(await response.json()).toEqual({ handler: true, appStarted: true, pre: 'ran' });
    });

    it('logs one line per invocation and shows the handler context.log output', async () => {
      // Prepare
      await get('/api/secured?code=secured-key-1');

      // Act
      const logs = host.logs();

      // Assess
      expect(logs).toContainEqual(expect.objectContaining({ message: 'function log', functionName: 'secured', text: 'secured function ran' }));
      expect(logs).toContainEqual(
        expect.objectContaining({ message: 'function executed', functionName: 'secured', outcome: 'Succeeded', durationMs: expect.any(Number) }),
      );
      expect(logs).toContainEqual(expect.objectContaining({ message: 'function executed', functionName: 'explode', outcome: 'Failed' }));
    });
  });

  describe('trace context and structured logs', () => {
    it("passes the request's traceparent and tracestate to the invocation as traceContext", async () => {
      // Prepare
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

      // Act
      const response = await get('/api/traced', { traceparent, tracestate: 'vendor=1' });

      // Assess
      expect(await response.json()).toEqual({ traceParent: traceparent, traceState: 'vendor=1', attributes: {} });
    });

    it('starts a new sampled trace for a request without one, as the host does', async () => {
      // Act
      const first = (await (await get('/api/traced')).json()) as { traceParent: string };
      const second = (await (await get('/api/traced', { traceparent: 'garbage' })).json()) as { traceParent: string };

      // Assess
      expect(first.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(second.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(second.traceParent.slice(3, 35)).not.toBe(first.traceParent.slice(3, 35));
    });

    it('prints the fields of a structured entry as top-level keys of its log line', async () => {
      // Act
      await get('/api/traced');

      // Assess
      expect(host.logs()).toContainEqual(expect.objectContaining({ message: 'order shipped', orderId: 'o-1', items: 2, functionName: 'traced', category: 'user' }));
      expect(host.logs().some((line) => line.message === 'function log' && String(line.text).includes('order shipped'))).toBe(false);
    });
  });

  describe('keys', () => {
    it.each([
      ['no key', '/api/secured', {}, 401],
      ['a wrong key', '/api/secured', { 'x-functions-key': 'nope' }, 401],
      ["the function's own key in x-functions-key", '/api/secured', { 'x-functions-key': 'secured-key-1' }, 200],
      ["the function's own key in ?code=", '/api/secured?code=secured-key-1', {}, 200],
      ["another function's key", '/api/secured', { 'x-functions-key': 'other-key-1' }, 401],
      ['a host key', '/api/secured', { 'x-functions-key': 'host-key-1' }, 200],
      ['the master key', '/api/secured?code=master-key-1', {}, 200],
      ['a host key on an admin function', '/api/adminOnly', { 'x-functions-key': 'host-key-1' }, 401],
      ['a function key on an admin function', '/api/adminOnly?code=secured-key-1', {}, 401],
      ['the master key on an admin function', '/api/adminOnly', { 'x-functions-key': 'master-key-1' }, 200],
      ['no key on an anonymous function', '/api/items/1', {}, 200],
    ])('with %s: GET %s %j → %i', async (_case, path, headers, status) => {
      // Prepare (keys come from FUNCTIONS_MASTER_KEY, FUNCTIONS_HOST_KEY and FUNCTIONS_FUNCTION_KEYS)

      // Act
      const response = await get(path, headers);

      // Assess
      expect(response.status).toBe(status);
    });

    it('requires the master key for the admin API', async () => {
      // Prepare
      const path = '/admin/host/status';

      // Act
      const withoutKey = await get(path);
      const withFunctionKey = await get(path, { 'x-functions-key': 'secured-key-1' });
      const withMasterKey = await get(path, { 'x-functions-key': 'master-key-1' });

      // Assess
      expect(withoutKey.status).toBe(401);
      expect(withFunctionKey.status).toBe(401);
      expect(withMasterKey.status).toBe(200);
      expect(await withMasterKey.json()).toMatchObject({
        state: 'Running',
        functions: expect.arrayContaining([{ name: 'getItem', trigger: 'httpTrigger', route: 'items/{id:int}', methods: ['GET'], authLevel: 'anonymous' }]),
      });
    });
  });
});

describe('local host: HTTP triggers without configured keys', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await spawnHost({ entries: [`${FIXTURE_DIR}/http.js`] });
  });

  afterAll(async () => {
    await host.stop();
  });

  it.each(['/api/secured', '/api/adminOnly', '/admin/host/status'])('turns authorization off, as Core Tools does: %s', async (path) => {
    // Prepare (no FUNCTIONS_*_KEY settings)

    // Act
    const response = await fetch(`${host.url}${path}`);

    // Assess
    expect(response.status).toBe(200);
  });
});
