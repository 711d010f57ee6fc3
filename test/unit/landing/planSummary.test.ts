import { formatMoney, summarizePlan, termName } from '../../../shared/landing/planSummary';
import { TEAM_PLAN } from './support/fakeMarketplace';

describe('summarizePlan', () => {
  it('gives the display name and the per-seat price and total for the subscription term', () => {
    // Prepare
    const subscription = { planId: 'team', quantity: 5, termUnit: 'P1Y' };

    // Act
    const summary = summarizePlan(TEAM_PLAN, subscription);

    // Assess
    expect(summary).toEqual({
      name: 'Team',
      description: 'Per user, 1 to 50 seats.',
      price: '$100.00 per seat per year',
      total: '$500.00 per year for 5 seats',
    });
  });

  it('gives a flat price without a total for flat-rate plans', () => {
    // Prepare
    const plan = { planId: 'starter', displayName: 'Starter', planComponents: { recurrentBillingTerms: [{ termUnit: 'P1M', price: 49, currency: 'EUR' }] } };

    // Act
    const summary = summarizePlan(plan, { planId: 'starter', termUnit: 'P1M' });

    // Assess
    expect(summary).toEqual({ name: 'Starter', price: '€49.00 per month' });
  });

  it('keeps Microsoft\'s description of a term unit it does not know', () => {
    // Prepare
    const plan = { planId: 'odd', displayName: 'Odd', planComponents: { recurrentBillingTerms: [{ termUnit: 'P6M', termDescription: '6 Month Subscription', price: 200, currency: 'USD' }] } };

    // Act
    const summary = summarizePlan(plan, { planId: 'odd', termUnit: 'P6M' });

    // Assess
    expect(summary.price).toBe('$200.00, 6 Month Subscription');
  });

  it('falls back to the plan id, without a price, when the plan list was unavailable', () => {
    // Prepare (no plan)

    // Act
    const summary = summarizePlan(undefined, { planId: 'team', quantity: 5, termUnit: 'P1M' });

    // Assess
    expect(summary).toEqual({ name: 'team' });
  });

  it('leaves the price out when no billing term matches the subscription term', () => {
    // Prepare (the plan is sold monthly and yearly only)

    // Act
    const summary = summarizePlan(TEAM_PLAN, { planId: 'team', quantity: 5, termUnit: 'P3Y' });

    // Assess
    expect(summary.price).toBeUndefined();
  });
});

describe('formatting', () => {
  it.each([
    [10, 'USD', '$10.00'],
    [1990, 'usd', '$1,990.00'],
    [12.5, 'XYZ', 'XYZ 12.50'],
    [12.5, 'dollars', '12.50 dollars'],
    [3, undefined, '3.00'],
  ])('formats %p %p as %p', (amount, currency, expected) => {
    // Prepare, Act
    const text = formatMoney(amount, currency);

    // Assess
    expect(text.replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it.each([
    ['P1M', '1 month'],
    ['P3Y', '3 years'],
    ['P6M', 'P6M'],
    [undefined, undefined],
  ])('names the term unit %p as %p', (unit, expected) => {
    // Prepare, Act
    const name = termName(unit);

    // Assess
    expect(name).toBe(expected);
  });
});
