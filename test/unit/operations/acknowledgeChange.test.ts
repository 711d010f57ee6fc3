import { ACK_RESERVE_MS, decisionBudgetMs, MIN_DECISION_MS } from '../../../shared/operations/acknowledgeChange';

const RECEIVED = '2026-03-02T12:00:00.000Z';
const at = (offsetMs: number): Date => new Date(Date.parse(RECEIVED) + offsetMs);

describe('decisionBudgetMs', () => {
  it.each([
    ['right after receipt: the decision timeout', { now: at(100), decisionTimeoutMs: 4_000 }, 4_000],
    ['late in the window: what is left minus the PATCH reserve', { now: at(7_000), decisionTimeoutMs: 4_000 }, 10_000 - ACK_RESERVE_MS - 7_000],
    ['after the window: the minimum', { now: at(30_000), decisionTimeoutMs: 4_000 }, MIN_DECISION_MS],
    ['a decision timeout below the minimum wins', { now: at(30_000), decisionTimeoutMs: 200 }, 200],
    ['measured from an earlier, plausible operation timeStamp', { now: at(100), decisionTimeoutMs: 8_000, timeStamp: at(-3_000).toISOString() }, 10_000 - ACK_RESERVE_MS - 3_100],
    ['ignoring a timeStamp after receipt (clock skew)', { now: at(100), decisionTimeoutMs: 8_000, timeStamp: at(5_000).toISOString() }, 8_000],
    ['ignoring a timeStamp from long before (another clock)', { now: at(100), decisionTimeoutMs: 8_000, timeStamp: '2020-01-01T00:00:00Z' }, 8_000],
    ['ignoring a timeStamp that is not a date', { now: at(100), decisionTimeoutMs: 8_000, timeStamp: 'yesterday' }, 8_000],
  ])('gives the ISV %s', (_name, timing, expected) => {
    // Prepare
    const input = { receivedAt: RECEIVED, ...timing };

    // Act
    const budget = decisionBudgetMs(input);

    // Assess
    expect(budget).toBe(expected);
  });
});
