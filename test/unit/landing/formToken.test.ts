import { createFormToken, verifyFormToken } from '../../../shared/landing';
import { OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID } from './support/fakeMarketplace';
import { FORM_SECRET } from './support/landingRig';

const ISSUED = new Date('2026-03-01T10:00:00Z');
const issue = (subscriptionId = SUBSCRIPTION_ID, secret = FORM_SECRET): string =>
  createFormToken({ subscriptionId, secret, now: ISSUED, ttlSeconds: 900 });

describe('form tokens', () => {
  it('accepts a token for the subscription it was issued for, until it expires', () => {
    // Prepare
    const token = issue();

    // Act
    const check = verifyFormToken({ token, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: new Date('2026-03-01T10:14:59Z') });

    // Assess
    expect(check).toEqual({ ok: true, expiresAt: new Date('2026-03-01T10:15:00Z') });
  });

  it('refuses a token issued for another subscription (no replay across subscriptions)', () => {
    // Prepare
    const token = issue(OTHER_SUBSCRIPTION_ID);

    // Act
    const check = verifyFormToken({ token, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: ISSUED });

    // Assess
    expect(check).toEqual({ ok: false, reason: 'badSignature' });
  });

  it('refuses a token once its lifetime is over', () => {
    // Prepare
    const token = issue();

    // Act
    const check = verifyFormToken({ token, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: new Date('2026-03-01T10:15:00Z') });

    // Assess
    expect(check).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret', () => {
    // Prepare
    const token = issue(SUBSCRIPTION_ID, 'another-secret-that-is-at-least-32-chars');

    // Act
    const check = verifyFormToken({ token, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: ISSUED });

    // Assess
    expect(check).toEqual({ ok: false, reason: 'badSignature' });
  });

  it('refuses a token whose expiry was pushed back by hand', () => {
    // Prepare
    const [version, expires, signature] = issue().split('.');
    const extended = [version, String(Number(expires) + 86_400), signature].join('.');

    // Act
    const check = verifyFormToken({ token: extended, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: new Date('2026-03-01T11:00:00Z') });

    // Assess
    expect(check).toEqual({ ok: false, reason: 'badSignature' });
  });

  it.each(['', 'v1', 'v1.123', 'v2.1772359200.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'v1.abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'v1.1772359200.short'])(
    'refuses the malformed token %j',
    (token) => {
      // Prepare (nothing: the token is the input)

      // Act
      const check = verifyFormToken({ token, subscriptionId: SUBSCRIPTION_ID, secret: FORM_SECRET, now: ISSUED });

      // Assess
      expect(check).toEqual({ ok: false, reason: 'malformed' });
    },
  );
});
