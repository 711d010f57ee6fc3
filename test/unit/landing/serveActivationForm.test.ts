import type { LandingSettings } from '../../../shared/config';
import { createFormToken, openLandingPage, serveActivationForm, type ActivationFormRequest, type LandingDeps } from '../../../shared/landing';
import { OTHER_SUBSCRIPTION_ID, PURCHASE_TOKEN, SUBSCRIPTION_ID } from './support/fakeMarketplace';
import { captureLogs, FORM_SECRET, landingRig, readResponse } from './support/landingRig';

const FORM_URL = 'https://saas.contoso.example/api/landing/activate';
const FORM = 'application/x-www-form-urlencoded';

async function confirmRig(settings: Partial<LandingSettings> = {}) {
  const rig = landingRig({ settings: { activationMode: 'confirm', ...settings } });
  await openLandingPage(rig.deps, { purchaseToken: PURCHASE_TOKEN, mode: 'confirm' });
  const formToken = (subscriptionId = SUBSCRIPTION_ID): string =>
    createFormToken({ subscriptionId, secret: FORM_SECRET, now: rig.clock.now(), ttlSeconds: 900 });
  return { ...rig, formToken };
}

function post(deps: LandingDeps, fields: Record<string, string>, headers: Record<string, string> = { 'content-type': FORM }) {
  const body = new Response(new URLSearchParams(fields).toString()).body as ActivationFormRequest['body'];
  return serveActivationForm(() => deps, { url: FORM_URL, headers: new Headers(headers), body, invocationId: 'inv-7' }, captureLogs().logger).then(readResponse);
}

describe('serveActivationForm', () => {
  it('queues the activation and sends the buyer back to the page (303) with the token intact', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}`);
    expect(activations.messages()).toEqual([expect.objectContaining({ subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 5 })]);
  });

  it('refuses a form token of another subscription with 403 and queues nothing', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(OTHER_SUBSCRIPTION_ID), token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toContain('<h1>This request could not be verified</h1>');
    expect(response.body).toContain(`<a href="/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}">Back to your subscription</a>`);
    expect(activations.messages()).toEqual([]);
  });

  it('refuses a forged form token with 403 and queues nothing', async () => {
    // Prepare
    const { deps, activations } = await confirmRig();

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: `v1.9999999999.${'A'.repeat(43)}`, token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(403);
    expect(activations.messages()).toEqual([]);
  });

  it('says the form expired when its token is too old', async () => {
    // Prepare
    const { deps, activations, formToken, clock } = await confirmRig();
    const token = formToken();
    clock.advance(901_000);

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: token, token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toContain('<h1>This form has expired</h1>');
    expect(activations.messages()).toEqual([]);
  });

  it.each([
    ['a JSON body', { 'content-type': 'application/json' }],
    ['a body without content type', {}],
  ])('refuses %s', async (_case, headers) => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), token: PURCHASE_TOKEN }, headers);

    // Assess
    expect(response.status).toBe(403);
    expect(activations.messages()).toEqual([]);
  });

  it('refuses a body larger than the form can be', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), token: PURCHASE_TOKEN, padding: 'x'.repeat(10_000) });

    // Assess
    expect(response.status).toBe(403);
    expect(activations.messages()).toEqual([]);
  });

  it('does not exist when no form secret is configured', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig({ activationMode: 'automatic', formSecret: undefined });

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(404);
    expect(activations.messages()).toEqual([]);
  });

  it('sends a buyer who is not signed in to the login when sign-in is required', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig({ easyAuth: true, requireSignIn: true });

    // Act
    const response = await post(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), token: PURCHASE_TOKEN });

    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^\/\.auth\/login\/aad\?post_login_redirect_uri=%2Fapi%2Flanding%3Ftoken%3D/);
    expect(activations.messages()).toEqual([]);
  });
});
