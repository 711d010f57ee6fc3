import { loadConfig } from '../../../shared/config';
import { isLoopbackRequest } from '../../../shared/console';
import { poisonQueueName, QUEUE_NAMES } from '../../../shared/storage';
import { SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';
import { ADMIN, consoleRig, location, NOBODY, READER, text } from './consoleRig';

const BASE = '/api/console';
const DETAIL = `${BASE}/subscriptions/${SUBSCRIPTION_ID}`;
const PAGES = [BASE, `${BASE}/subscriptions`, `${BASE}/subscriptions?q=buyer@fab`, DETAIL, `${BASE}/operations?failed=1`, `${BASE}/poison`, `${BASE}/usage`, `${BASE}/plans`, `${BASE}/reconcile`];
const ACTIONS: Array<{ path: string; form: Record<string, string> }> = [
  { path: `${DETAIL}/seats`, form: { quantity: '12' } },
  { path: `${DETAIL}/plan`, form: { planId: 'business' } },
  { path: `${DETAIL}/cancel`, form: {} },
  { path: `${BASE}/poison/activations/replay`, form: {} },
  { path: `${BASE}/reconcile`, form: {} },
  { path: `${BASE}/subscriptions/reindex`, form: {} },
];

/** What an action could have changed: Microsoft calls, ledger rows, history, the poison queue. */
async function footprint(rig: Awaited<ReturnType<typeof consoleRig>>) {
  return {
    marketplaceCalls: rig.marketplace.calls.filter((c) => c.method !== 'listAvailablePlans').length,
    operations: (await rig.operationLog.list()).items.length,
    history: (await rig.historyOf()).length,
    poison: await rig.poison.approximateCount(poisonQueueName(QUEUE_NAMES.activations)),
    searchRows: rig.searchIndex.rows.size,
  };
}

describe('operator console access (Easy Auth roles)', () => {
  it.each(PAGES)('GET %s: sign-in redirect without a principal, 403 naming Console.Reader without a role, 200 for reader and admin', async (path) => {
    // Prepare
    const rig = await consoleRig();

    // Act
    const anonymous = await rig.call('GET', path);
    const noRole = await rig.call('GET', path, { as: NOBODY });
    const reader = await rig.call('GET', path, { as: READER });
    const admin = await rig.call('GET', path, { as: ADMIN });

    // Assess
    expect(anonymous.status).toBe(302);
    expect(location(anonymous)).toMatch(/^\/\.auth\/login\/aad\?post_login_redirect_uri=%2Fapi%2Fconsole/);
    expect(noRole.status).toBe(403);
    expect(text(noRole)).toContain('You need the Console.Reader role');
    expect([reader.status, admin.status]).toEqual([200, 200]);
    expect(text(reader)).toContain('Rex Reader');
    expect(text(reader).match(/<h1>/g)).toHaveLength(1);
  });

  it.each(ACTIONS)('POST $path: 401 without a principal, 403 for a reader, and nothing changes', async ({ path, form }) => {
    // Prepare
    const rig = await consoleRig();
    const before = await footprint(rig);

    // Act
    const anonymous = await rig.call('POST', path, { form: { ...form, formToken: rig.tokenFor(READER, path) } });
    const reader = await rig.call('POST', path, { as: READER, form: { ...form, formToken: rig.tokenFor(READER, path) } });

    // Assess
    expect(anonymous.status).toBe(401);
    expect(reader.status).toBe(403);
    expect(text(reader)).toContain('You need the Console.Admin role');
    expect(await footprint(rig)).toEqual(before);
  });

  it.each(ACTIONS)('POST $path as admin: refused without a token, with a stale one and with one for another form; changes nothing', async ({ path, form }) => {
    // Prepare
    const rig = await consoleRig();
    const before = await footprint(rig);
    const stale = rig.tokenFor(ADMIN, path, new Date(rig.clock.now().getTime() - 31 * 60_000));

    // Act
    const missing = await rig.call('POST', path, { as: ADMIN, form });
    const expired = await rig.call('POST', path, { as: ADMIN, form: { ...form, formToken: stale } });
    const otherForm = await rig.call('POST', path, { as: ADMIN, form: { ...form, formToken: rig.tokenFor(ADMIN, `${BASE}/reconcile-elsewhere`) } });
    const otherUser = await rig.call('POST', path, { as: ADMIN, form: { ...form, formToken: rig.tokenFor(READER, path) } });

    // Assess
    expect([missing.status, expired.status, otherForm.status, otherUser.status]).toEqual([403, 403, 403, 403]);
    expect(text(expired)).toContain('This form has expired');
    expect(text(otherForm)).toContain('could not be verified');
    expect(await footprint(rig)).toEqual(before);
  });

  it.each(ACTIONS)('POST $path as admin with a fresh token: acts and redirects (303)', async ({ path, form }) => {
    // Prepare
    const rig = await consoleRig();
    const before = await footprint(rig);

    // Act
    const response = await rig.call('POST', path, { as: ADMIN, form: { ...form, formToken: rig.tokenFor(ADMIN, path) } });

    // Assess
    expect(response.status).toBe(303);
    expect(location(response)).toMatch(/^\/api\/console/);
    expect(await footprint(rig)).not.toEqual(before);
  });

  it('writes the operator who asked for a seat change into the history, and shows the tracked request', async () => {
    // Prepare
    const rig = await consoleRig();
    const path = `${DETAIL}/seats`;

    // Act
    const response = await rig.call('POST', path, { as: ADMIN, form: { quantity: '12', formToken: rig.tokenFor(ADMIN, path) } });
    const page = await rig.call('GET', String(location(response)).replace(/#.*$/, ''), { as: ADMIN });

    // Assess
    expect(rig.marketplace.callsOf('changeQuantity')).toEqual([[SUBSCRIPTION_ID, 12]]);
    const requested = (await rig.historyOf()).find((entry) => entry.kind === 'PublisherChangeRequested');
    expect(requested?.detail).toContain('requested by Ada Admin (console)');
    expect(text(page)).toContain('Your ChangeQuantity request');
    expect(text(page)).toContain('http-equiv="refresh"');
  });

  it('answers a change Microsoft must not receive with a redirect and a signed notice, sending nothing', async () => {
    // Prepare
    const rig = await consoleRig();
    const path = `${DETAIL}/seats`;

    // Act
    const response = await rig.call('POST', path, { as: ADMIN, form: { quantity: '10', formToken: rig.tokenFor(ADMIN, path) } });
    const page = await rig.call('GET', String(location(response)), { as: ADMIN });
    const forged = await rig.call('GET', `${DETAIL}?notice=${encodeURIComponent('SGVsbG8.v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')}`, { as: ADMIN });

    // Assess
    expect(response.status).toBe(303);
    expect(rig.marketplace.callsOf('changeQuantity')).toEqual([]);
    expect(text(page)).toContain('Not sent to Microsoft');
    expect(text(forged)).not.toContain('class="notice"');
  });
});

describe('operator console overview', () => {
  it('shows readiness with the failing checks and the last run of each timer job', async () => {
    // Prepare
    const rig = await consoleRig();
    await rig.deps.admin.runs.save({ job: 'reconciliation', runId: 'run-7', startedAt: '2026-03-02T11:20:00.000Z', finishedAt: '2026-03-02T11:21:00.000Z', outcome: 'partial', counts: { seen: 12, repaired: 2, failed: 1 } });

    // Act
    const page = text(await rig.call('GET', BASE, { as: READER }));

    // Assess
    expect(page).toContain('Not ready</span> 0 checks at 2026-03-02 12:00:00 UTC · failing: marketplaceApi');
    expect(page).toMatch(/<td>reconciliation<\/td><td>partial<\/td><td>2026-03-02 11:21:00 UTC<\/td><td>seen 12, repaired 2, failed 1<\/td>/);
  });
});

describe('operator console markup', () => {
  it('escapes what comes from Microsoft and the buyer on the list and the detail page', async () => {
    // Prepare
    const rig = await consoleRig();
    await rig.subscriptions.updateWithRetry(SUBSCRIPTION_ID, (s) => ({ ...s, name: '<script>alert(1)</script>', purchaser: { emailId: '"><img src=x onerror=alert(1)>@x.example' } }));

    // Act
    const list = text(await rig.call('GET', `${BASE}/subscriptions`, { as: READER }));
    const detail = text(await rig.call('GET', DETAIL, { as: READER }));

    // Assess
    for (const page of [list, detail]) {
      expect(page).not.toContain('<script>alert');
      expect(page).not.toContain('<img src=x');
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });
});

describe('development sign-in', () => {
  it('redirects to the local sign-in page on loopback and shows the banner there', async () => {
    // Prepare
    const rig = await consoleRig({ auth: 'development' });

    // Act
    const overview = await rig.call('GET', BASE);
    const signIn = await rig.call('GET', String(location(overview)));

    // Assess
    expect(location(overview)).toBe('/api/console/signin?returnTo=%2Fapi%2Fconsole');
    expect(signIn.status).toBe(200);
    expect(text(signIn)).toContain('Development sign-in');
  });

  it.each([
    ['a public host name', { host: 'contoso-fulfillment.azurewebsites.net' }],
    ['a forwarded request', { headers: { 'x-forwarded-for': '203.0.113.9' } }],
    ['an App Service front end', { headers: { 'x-arr-log-id': 'abc' } }],
  ])('refuses %s (403), even with a principal', async (_what, init) => {
    // Prepare
    const rig = await consoleRig({ auth: 'development' });

    // Act
    const response = await rig.call('GET', `${BASE}/signin`, { ...init, as: ADMIN });

    // Assess
    expect(response.status).toBe(403);
    expect(text(response)).toContain('Development sign-in refused');
  });

  it('cannot be configured where App Service platform variables are set', () => {
    // Prepare
    const env = {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      MARKETPLACE_TENANT_ID: '00000000-0000-0000-0000-000000000001',
      MARKETPLACE_CLIENT_ID: '00000000-0000-0000-0000-000000000002',
      MARKETPLACE_CLIENT_SECRET: 'x',
      CONSOLE_AUTH: 'development',
      CONSOLE_FORM_SECRET: 'a'.repeat(32),
    };

    // Act
    const local = () => loadConfig(env);
    const azure = () => loadConfig({ ...env, WEBSITE_SITE_NAME: 'contoso-fulfillment' });

    // Assess
    expect(local).not.toThrow();
    expect(azure).toThrow(/CONSOLE_AUTH=development is refused on a hosting platform \(WEBSITE_SITE_NAME set\)/);
  });

  it('tells loopback requests from the rest', () => {
    // Assess
    expect(isLoopbackRequest({ url: 'http://127.0.0.1:7071/api/console', headers: new Headers({ host: '127.0.0.1:7071' }) })).toBe(true);
    expect(isLoopbackRequest({ url: 'http://[::1]:7071/api/console', headers: new Headers() })).toBe(true);
    expect(isLoopbackRequest({ url: 'http://127.0.0.1:7071/api/console', headers: new Headers({ host: 'evil.example' }) })).toBe(false);
    expect(isLoopbackRequest({ url: 'http://10.0.0.4/api/console', headers: new Headers() })).toBe(false);
  });

  it('signs in with a name and a role, and the cookie then opens the console', async () => {
    // Prepare
    const rig = await consoleRig({ auth: 'development' });
    const form = text(await rig.call('GET', `${BASE}/signin`));
    const formToken = /name="formToken" value="([^"]+)"/.exec(form)?.[1] ?? '';

    // Act
    const signedIn = await rig.call('POST', `${BASE}/signin`, { form: { formToken, name: 'Dev Dana', role: 'Console.Reader', returnTo: '/api/console/plans' } });
    const cookie = signedIn.cookies?.[0];
    const page = await rig.call('GET', `${BASE}/plans`, { headers: { cookie: `${cookie?.name}=${cookie?.value}` } });
    const tampered = await rig.call('GET', `${BASE}/plans`, { headers: { cookie: `${cookie?.name}=${String(cookie?.value).replace(/^[^.]+/, Buffer.from('{"name":"Dev Dana","role":"Console.Admin"}').toString('base64url'))}` } });

    // Assess
    expect(signedIn.status).toBe(303);
    expect(location(signedIn)).toBe('/api/console/plans');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/console' });
    expect(page.status).toBe(200);
    expect(text(page)).toContain('Dev Dana');
    expect(tampered.status).toBe(302);
  });
});
