import {
  AlreadyExistsError,
  AuthenticationError,
  ConcurrencyConflictError,
  ConfigurationError,
  DependencyUnavailableError,
  InvalidTransitionError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceError,
  ValidationError,
  toError,
} from '../../shared/errors';

describe('error hierarchy', () => {
  it.each<[string, () => ServiceError, string, string, Record<string, unknown>]>([
    ['ValidationError', () => new ValidationError('Bad body', ['planId: required']), 'ValidationFailed', 'Bad body', {}],
    ['AuthenticationError', () => new AuthenticationError('token_expired'), 'AuthenticationFailed', 'Authentication failed', {}],
    ['NotFoundError', () => new NotFoundError('Subscription', 's-1'), 'NotFound', 'Subscription s-1 was not found', { resource: 'Subscription', id: 's-1' }],
    ['AlreadyExistsError', () => new AlreadyExistsError('Operation', 'op-1'), 'AlreadyExists', 'Operation op-1 already exists', { resource: 'Operation', id: 'op-1' }],
    [
      'ConcurrencyConflictError',
      () => new ConcurrencyConflictError('Subscription', 's-1'),
      'ConcurrencyConflict',
      'Subscription s-1 was changed by someone else; re-read and retry',
      { resource: 'Subscription', id: 's-1' },
    ],
    ['InvalidTransitionError', () => new InvalidTransitionError('Suspend not allowed'), 'InvalidTransition', 'Suspend not allowed', {}],
    ['ConfigurationError', () => new ConfigurationError(['A: missing', 'B: not a URL']), 'InvalidConfiguration', 'Invalid configuration: A: missing; B: not a URL', {}],
    ['DependencyUnavailableError', () => new DependencyUnavailableError('marketplace', 'timed out'), 'DependencyUnavailable', 'timed out', { dependency: 'marketplace' }],
    ['PayloadTooLargeError', () => new PayloadTooLargeError(1024), 'PayloadTooLarge', 'Request body exceeds the limit of 1024 bytes', { limitBytes: 1024 }],
  ])('gives %s its name, stable code, message and details', (name, create, code, message, details) => {
    // Prepare, Act
    const error = create();

    // Assess
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.details).toEqual(details);
    expect(error.stack).toContain(name);
  });

  it('keeps the cause it is given', () => {
    // Prepare
    const cause = new Error('socket hang up');

    // Act
    const error = new DependencyUnavailableError('storage', 'Table storage unavailable', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });

  it('has no cause property when none is given', () => {
    // Prepare, Act
    const error = new NotFoundError('Subscription', 's-1');

    // Assess
    expect('cause' in error).toBe(false);
  });

  it('adds extra details next to the identifying ones', () => {
    // Prepare, Act
    const error = new NotFoundError('Subscription', 's-1', { details: { operationId: 'op-9' } });

    // Assess
    expect(error.details).toEqual({ resource: 'Subscription', id: 's-1', operationId: 'op-9' });
  });

  it('keeps the issues and reason that callers return to clients', () => {
    // Prepare, Act
    const validation = new ValidationError('Bad body', ['planId: required', 'quantity: must be positive']);
    const authentication = new AuthenticationError('missing_token', 'No Authorization header');
    const configuration = new ConfigurationError(['A: missing']);

    // Assess
    expect(validation.issues).toEqual(['planId: required', 'quantity: must be positive']);
    expect(authentication.reason).toBe('missing_token');
    expect(authentication.message).toBe('No Authorization header');
    expect(configuration.issues).toEqual(['A: missing']);
  });

  it('names a subclass defined elsewhere after itself', () => {
    // Prepare
    class WebhookAuthenticationError extends AuthenticationError {}

    // Act
    const error = new WebhookAuthenticationError('bad_audience');

    // Assess
    expect(error.name).toBe('WebhookAuthenticationError');
    expect(error.code).toBe('AuthenticationFailed');
  });
});

describe('toError', () => {
  it('returns an Error unchanged', () => {
    // Prepare
    const error = new TypeError('boom');

    // Act
    const result = toError(error);

    // Assess
    expect(result).toBe(error);
  });

  it('turns a thrown string into an Error with that message', () => {
    // Prepare, Act
    const result = toError('plain failure');

    // Assess
    expect(result).toBeInstanceOf(Error);
    expect(result.message).toBe('plain failure');
  });

  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const bare: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  bare.self = bare;
  const hostile = {
    toJSON(): never {
      throw new Error('no JSON');
    },
    toString(): never {
      throw new Error('no string');
    },
  };

  it.each<[string, unknown, string]>([
    ['an object', { status: 409, reason: 'conflict' }, 'Non-error thrown: {"status":409,"reason":"conflict"}'],
    ['a number', 42, 'Non-error thrown: 42'],
    ['null', null, 'Non-error thrown: null'],
    ['undefined', undefined, 'Non-error thrown: undefined'],
    ['a BigInt', 10n, 'Non-error thrown: 10'],
    ['a symbol', Symbol('why'), 'Non-error thrown: Symbol(why)'],
    ['a cyclic object', cyclic, 'Non-error thrown: [object Object]'],
    ['a cyclic object without a prototype', bare, 'Non-error thrown: [object Object]'],
    ['an object whose toJSON and toString throw', hostile, 'Non-error thrown: [object Object]'],
  ])('describes %s without throwing and keeps it as the cause', (_name, value, message) => {
    // Prepare, Act
    const result = toError(value);

    // Assess
    expect(result).toBeInstanceOf(Error);
    expect(result.message).toBe(message);
    expect(result.cause).toBe(value);
  });
});
