import { HttpResponse } from '@azure/functions';
import {
  AlreadyExistsError,
  AuthenticationError,
  ConcurrencyConflictError,
  ConfigurationError,
  DependencyUnavailableError,
  InvalidTransitionError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../../../shared/errors';
import { toHttpResponse } from '../../../shared/http/responses';
import { createLogger, type LogFields, type LogLevel } from '../../../shared/logging';

const CONTEXT = { invocationId: 'inv-42' };

function recordingLogger() {
  const entries: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  const logger = createLogger((level, message, fields) => entries.push({ level, message, fields }), { level: 'debug' });
  return { logger, entries };
}

describe('toHttpResponse', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each<[string, Error, number, string, Record<string, unknown>]>([
    ['a validation error', new ValidationError('Request body is invalid', ['planId: required']), 400, 'ValidationFailed', { issues: ['planId: required'] }],
    ['a missing resource', new NotFoundError('Subscription', 's-1'), 404, 'NotFound', { resource: 'Subscription', id: 's-1' }],
    ['an oversized body', new PayloadTooLargeError(1024), 413, 'PayloadTooLarge', { limitBytes: 1024 }],
    ['a duplicate', new AlreadyExistsError('Operation', 'op-1'), 409, 'AlreadyExists', { resource: 'Operation', id: 'op-1' }],
    ['a lost race', new ConcurrencyConflictError('Subscription', 's-1'), 409, 'ConcurrencyConflict', { resource: 'Subscription', id: 's-1' }],
    ['an illegal transition', new InvalidTransitionError('Suspended cannot ChangePlan', { details: { status: 'Suspended' } }), 409, 'InvalidTransition', { status: 'Suspended' }],
  ])('answers %s with %i, its code, message and details', (_name, error, status, code, details) => {
    // Prepare
    const { logger } = recordingLogger();

    // Act
    const response = toHttpResponse(error, CONTEXT, logger);

    // Assess
    expect(response.status).toBe(status);
    expect(response.jsonBody).toEqual({ error: { code, message: error.message, details, invocationId: 'inv-42' } });
  });

  it('leaves details out of a client error that has none', () => {
    // Prepare
    const { logger } = recordingLogger();

    // Act
    const response = toHttpResponse(new InvalidTransitionError('Not now'), CONTEXT, logger);

    // Assess
    expect(response.jsonBody).toEqual({ error: { code: 'InvalidTransition', message: 'Not now', invocationId: 'inv-42' } });
  });

  it('answers an authentication failure with 401, a Bearer challenge and only the safe reason', async () => {
    // Prepare
    const { logger } = recordingLogger();
    const error = new AuthenticationError('invalid_audience', 'aud 1111 is not 2222');

    // Act
    const response = new HttpResponse(toHttpResponse(error, CONTEXT, logger));

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({
      error: { code: 'AuthenticationFailed', message: 'Authentication failed', details: { reason: 'invalid_audience' }, invocationId: 'inv-42' },
    });
  });

  it('logs a client error once at warn, with its code and message but no stack', () => {
    // Prepare
    const { logger, entries } = recordingLogger();

    // Act
    toHttpResponse(new NotFoundError('Subscription', 's-1'), CONTEXT, logger);

    // Assess
    expect(entries).toEqual([
      {
        level: 'warn',
        message: 'request rejected',
        fields: expect.objectContaining({ status: 404, errorCode: 'NotFound', errorMessage: 'Subscription s-1 was not found', invocationId: 'inv-42' }),
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain('stack');
  });

  const thrown: Array<[string, unknown]> = [
    ['an Error with internals in its message', new Error('SQL failed at db-7 with Password=hunter2')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'planId')")],
    ['a configuration error', new ConfigurationError(['MARKETPLACE_CLIENT_ID: missing'])],
    ['a string', 'boom'],
    ['an object', { status: 500, internal: 'db-7' }],
    ['undefined', undefined],
  ];

  it.each(thrown)('answers %s with a generic 500 that exposes only the invocation id', (_name, error) => {
    // Prepare
    const { logger } = recordingLogger();

    // Act
    const response = toHttpResponse(error, CONTEXT, logger);

    // Assess
    expect(response.status).toBe(500);
    expect(response.jsonBody).toEqual({
      error: { code: 'InternalError', message: 'An unexpected error occurred. Quote invocation id inv-42 when reporting it.', invocationId: 'inv-42' },
    });
  });

  it.each(thrown)('logs %s in full, redacted, at error level', (_name, error) => {
    // Prepare
    const { logger, entries } = recordingLogger();

    // Act
    toHttpResponse(error, CONTEXT, logger);

    // Assess
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 'error', message: 'request failed', fields: { status: 500, invocationId: 'inv-42' } });
    expect(entries[0]?.fields.error).toEqual(expect.objectContaining({ name: expect.any(String), message: expect.any(String), stack: expect.any(String) }));
    expect(JSON.stringify(entries)).not.toContain('hunter2');
  });

  it.each<[string, DependencyUnavailableError, string]>([
    ['the default delay', new DependencyUnavailableError('marketplace', 'GET /subscriptions timed out'), '30'],
    ['the delay the error asks for', new DependencyUnavailableError('storage', 'throttled', { details: { retryAfterSeconds: 5 } }), '5'],
    ['the default delay for a nonsense one', new DependencyUnavailableError('storage', 'throttled', { details: { retryAfterSeconds: -1 } }), '30'],
  ])('answers an unavailable dependency with 503 and Retry-After of %s', (_name, error, retryAfter) => {
    // Prepare
    const { logger, entries } = recordingLogger();

    // Act
    const response = toHttpResponse(error, CONTEXT, logger);

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': retryAfter });
    expect(response.jsonBody).toEqual({
      error: { code: 'DependencyUnavailable', message: 'A service this request depends on is temporarily unavailable; retry later.', invocationId: 'inv-42' },
    });
    expect(entries).toEqual([{ level: 'warn', message: 'request failed: dependency unavailable', fields: expect.objectContaining({ error: expect.objectContaining({ stack: expect.any(String) }) }) }]);
  });

  it.each<[string, unknown]>([
    ['client', new NotFoundError('Subscription', 's-1')],
    ['server', new Error('boom')],
  ])('marks a %s error response as uncacheable JSON', (_name, error) => {
    // Prepare
    const { logger } = recordingLogger();

    // Act
    const response = new HttpResponse(toHttpResponse(error, CONTEXT, logger));

    // Assess
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('still logs a server error when no logger is given', () => {
    // Prepare
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    toHttpResponse(new Error('unlogged?'), CONTEXT);

    // Assess
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('"message":"request failed"'));
  });
});
