import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { createLandingHandler } from '../../../functions/landing';
import { createLandingActivateHandler } from '../../../functions/landingActivate';
import { QUEUE_NAMES } from '../../../shared/storage';
import { fakeAppDependencies } from './support/appDependencies';
import { PURCHASE_TOKEN, SUBSCRIPTION_ID } from './support/fakeMarketplace';

const HOST = 'http://127.0.0.1:7071';

function context(logs: unknown[][] = []): InvocationContext {
  return new InvocationContext({ invocationId: 'inv-1', functionName: 'landing', logHandler: (level, ...args) => logs.push([level, ...args]) });
}

describe('the landing and landingActivate functions', () => {
  it('serve the whole confirm flow through the registered handlers: page, Activate, back to pending', async () => {
    // Prepare
    const { deps, queues } = fakeAppDependencies({ env: { LANDING_ACTIVATION_MODE: 'confirm' } });
    const landing = createLandingHandler(() => deps);
    const activate = createLandingActivateHandler(() => deps);
    const pageUrl = `${HOST}/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}`;
    const page = await new HttpResponse(await landing(new HttpRequest({ method: 'GET', url: pageUrl }), context())).text();
    const formToken = /name="formToken" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const form = new URLSearchParams({ subscriptionId: SUBSCRIPTION_ID, formToken, token: PURCHASE_TOKEN }).toString();

    // Act
    const posted = new HttpResponse(
      await activate(
        new HttpRequest({ method: 'POST', url: `${HOST}/api/landing/activate`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: { string: form } }),
        context(),
      ),
    );
    const after = await new HttpResponse(await landing(new HttpRequest({ method: 'GET', url: pageUrl }), context())).text();

    // Assess
    expect(page).toContain('Activate subscription');
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}`);
    expect(queues.get(QUEUE_NAMES.activations)?.messages()).toEqual([expect.objectContaining({ subscriptionId: SUBSCRIPTION_ID })]);
    expect(after).toContain('<h1>Setting up your subscription</h1>');
  });

  it('render an HTML error page, never a bare 500, when the settings are invalid', async () => {
    // Prepare
    const landing = createLandingHandler(() => {
      throw new Error('Invalid configuration: MARKETPLACE_TENANT_ID is required');
    });
    const logs: unknown[][] = [];

    // Act
    const response = new HttpResponse(await landing(new HttpRequest({ method: 'GET', url: `${HOST}/api/landing?token=abc` }), context(logs)));

    // Assess
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).not.toContain('MARKETPLACE_TENANT_ID');
    expect(JSON.stringify(logs)).toContain('MARKETPLACE_TENANT_ID');
  });
});
