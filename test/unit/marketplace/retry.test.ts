import { isRetryable, parseRetryAfter, retryDelayMs, wasNeverConnected } from '../../../shared/marketplace/retry';

const NOW = Date.parse('2026-01-05T12:00:00Z');

describe('retry policy', () => {
  it.each([
    ['delta seconds', '10', 10_000],
    ['zero', '0', 0],
    ['an HTTP-date in the future', 'Mon, 05 Jan 2026 12:00:30 GMT', 30_000],
    ['an HTTP-date in the past', 'Mon, 05 Jan 2026 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['a negative number', '-5', undefined],
  ])('reads Retry-After given as %s', (_name, header, expected) => {
    // Prepare
    const value = header;

    // Act
    const ms = parseRetryAfter(value, NOW);

    // Assess
    expect(ms).toBe(expected);
  });

  it.each([
    [1, 0.999, 499],
    [2, 0.5, 500],
    [3, 1 - Number.EPSILON, 1999],
    [10, 0.5, 4000],
  ])('waits a full-jitter share of the capped exponential ceiling before attempt %i + 1', (attempt, random, expected) => {
    // Prepare
    const settings = { baseDelayMs: 500, maxDelayMs: 8000, random: () => random };

    // Act
    const delay = retryDelayMs(attempt, undefined, settings);

    // Assess
    expect(delay).toBe(expected);
  });

  it('prefers the server Retry-After to its own backoff', () => {
    // Prepare
    const settings = { baseDelayMs: 500, maxDelayMs: 8000, random: () => 0.1 };

    // Act
    const delay = retryDelayMs(1, 12_000, settings);

    // Assess
    expect(delay).toBe(12_000);
  });

  it.each([
    ['safe', { type: 'status', status: 429 }, true],
    ['safe', { type: 'status', status: 500 }, true],
    ['safe', { type: 'status', status: 501 }, false],
    ['safe', { type: 'status', status: 400 }, false],
    ['safe', { type: 'status', status: 409 }, false],
    ['safe', { type: 'timeout' }, true],
    ['safe', { type: 'network', connected: true }, true],
    ['notAccepted', { type: 'status', status: 429 }, true],
    ['notAccepted', { type: 'status', status: 503, retryAfterMs: 1000 }, true],
    ['notAccepted', { type: 'status', status: 503 }, false],
    ['notAccepted', { type: 'status', status: 500 }, false],
    ['notAccepted', { type: 'timeout' }, false],
    ['notAccepted', { type: 'network', connected: true }, false],
    ['notAccepted', { type: 'network', connected: false }, true],
  ] as const)('a %s call after %j: retry = %s', (retryClass, outcome, expected) => {
    // Prepare
    const input = outcome;

    // Act
    const retry = isRetryable(retryClass, input);

    // Assess
    expect(retry).toBe(expected);
  });

  it('recognises a refused connection through the error cause chain', () => {
    // Prepare
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });

    // Act
    const verdicts = [wasNeverConnected(refused), wasNeverConnected(reset)];

    // Assess
    expect(verdicts).toEqual([true, false]);
  });

  it('reads node:http errors, which carry code and syscall themselves, and happy-eyeballs aggregates', () => {
    // Prepare
    const netError = (code: string, syscall: string): Error => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
    const cases = [
      netError('ECONNREFUSED', 'connect'),
      netError('ENOTFOUND', 'getaddrinfo'),
      netError('EHOSTUNREACH', 'connect'),
      // Unreachable reported on a connection that existed: the request may have left.
      netError('EHOSTUNREACH', 'read'),
      netError('ECONNRESET', 'read'),
      Object.assign(new AggregateError([netError('ECONNREFUSED', 'connect'), netError('ENETUNREACH', 'connect')]), { code: 'ECONNREFUSED' }),
      new AggregateError([netError('ECONNREFUSED', 'connect'), netError('ECONNRESET', 'read')]),
      new DOMException('The request timed out', 'TimeoutError'),
    ];

    // Act
    const verdicts = cases.map((error) => wasNeverConnected(error));

    // Assess
    expect(verdicts).toEqual([true, true, true, false, false, true, false, false]);
  });
});
