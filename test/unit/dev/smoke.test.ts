import { formatReport, normalizeBaseUrl, runSmoke } from '../../../dev/smoke';

/** A fake app: routes answer by path and key, so each check's verdict can be steered. */
function fakeApp(answers: Record<string, (headers: Headers) => Response>): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const answer = answers[`${init?.method ?? 'GET'} ${url.pathname}`];
    return Promise.resolve(answer ? answer(new Headers(init?.headers)) : new Response('', { status: 404 }));
  };
}

const healthy = {
  'GET /api/health': () => Response.json({ status: 'ok' }),
  'POST /api/webhook': () => new Response('{"error":{"code":"Unauthorized"}}', { status: 401 }),
  'GET /api/landing': () => new Response('<!doctype html><html lang="en"><body>Missing token</body></html>', { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } }),
  'GET /api/openapi.json': (h: Headers) => (h.get('x-functions-key') === 'k' ? Response.json({ openapi: '3.0.3', paths: { '/a': {} } }) : new Response('', { status: 401 })),
  'GET /api/subscriptions': () => new Response('', { status: 401 }),
  'GET /api/operations/00000000-0000-4000-8000-000000000000': () => new Response('', { status: 401 }),
  'GET /api/ops/poison/activations': () => new Response('', { status: 401 }),
};

describe('npm run smoke', () => {
  it('accepts the app address with or without a trailing slash or /api', () => {
    // Assess
    expect(normalizeBaseUrl('https://app.example.net/')).toBe('https://app.example.net');
    expect(normalizeBaseUrl('https://app.example.net/api/')).toBe('https://app.example.net');
    expect(normalizeBaseUrl('http://127.0.0.1:7071')).toBe('http://127.0.0.1:7071');
    expect(() => normalizeBaseUrl('app.example.net')).toThrow('is not an absolute URL');
    expect(() => normalizeBaseUrl('ftp://app.example.net')).toThrow('is not an http(s) URL');
  });

  it('passes every check against a healthy app, and skips the keyed OpenAPI document without a key', async () => {
    // Act
    const keyed = await runSmoke({ baseUrl: 'https://app.example.net', key: 'k', fetchImpl: fakeApp(healthy) });
    const keyless = await runSmoke({ baseUrl: 'https://app.example.net', fetchImpl: fakeApp(healthy) });

    // Assess
    expect(keyed.map((c) => c.outcome)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(keyless.find((c) => c.name === 'OpenAPI document')).toMatchObject({ outcome: 'skip' });
    expect(formatReport('https://app.example.net', keyless)).toMatch(/\n5 passed, 0 failed, 1 skipped\n$/);
  });

  it('says what it saw when a check fails', async () => {
    // Arrange: an unhealthy app that lets the webhook through and serves the landing page as JSON
    const broken = fakeApp({
      ...healthy,
      'GET /api/health': () => Response.json({ status: 'unhealthy', checks: { configuration: 'MARKETPLACE_TENANT_ID is required' } }, { status: 503 }),
      'POST /api/webhook': () => Response.json({ id: 'x' }),
      'GET /api/landing': () => Response.json({ error: 'no token' }, { status: 400 }),
      'GET /api/subscriptions': () => Response.json({ items: [] }),
    });

    // Act
    const checks = await runSmoke({ baseUrl: 'https://app.example.net', key: 'k', fetchImpl: broken });

    // Assess
    expect(checks.filter((c) => c.outcome === 'fail').map((c) => `${c.name}: ${c.detail}`)).toEqual([
      'health: expected 200, got 503: {"status":"unhealthy","checks":{"configuration":"MARKETPLACE_TENANT_ID is required"}}',
      'webhook without a token: expected 401, got 200: {"id":"x"}',
      'webhook with a forged token: expected 401, got 200: {"id":"x"}',
      'landing page without a token: 400 but not the HTML page (content-type application/json)',
      'admin endpoints without a key: expected 401: /api/subscriptions?pageSize=1: 200; /api/subscriptions?pageSize=1 (wrong key): 200',
    ]);
  });

  it('reports an unreachable app as a failed check, not a crash', async () => {
    // Act
    const checks = await runSmoke({ baseUrl: 'https://app.example.net', fetchImpl: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })) });

    // Assess
    expect(checks.every((c) => c.outcome === 'fail' && c.detail === 'request failed: fetch failed: ECONNREFUSED')).toBe(true);
  });
});
