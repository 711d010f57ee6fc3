/**
 * The project's error hierarchy. A subclass exists only where a caller reacts differently; each has
 * a stable `code` and carries the identifiers needed for diagnosis. Programmer mistakes use the
 * built-in errors (TypeError, RangeError).
 */
export interface ServiceErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class ServiceError extends Error {
  /** Stable, machine-readable code (never localised, never changes once published). */
  readonly code: string;
  /** Extra context for logs and, for client errors, for the response body. Never secrets. */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: ServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Input we received (from a caller or a queue message) is malformed. Maps to 400. */
export class ValidationError extends ServiceError {
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = [], options: ServiceErrorOptions = {}) {
    super('ValidationFailed', message, options);
    this.issues = issues;
  }
}

/** The caller could not be authenticated. `reason` is a short code safe to return. Maps to 401. */
export class AuthenticationError extends ServiceError {
  readonly reason: string;

  constructor(reason: string, message = 'Authentication failed', options: ServiceErrorOptions = {}) {
    super('AuthenticationFailed', message, options);
    this.reason = reason;
  }
}

/** A resource we looked up does not exist. Maps to 404. */
export class NotFoundError extends ServiceError {
  constructor(resource: string, id: string, options: ServiceErrorOptions = {}) {
    super('NotFound', `${resource} ${id} was not found`, { ...options, details: { ...options.details, resource, id } });
  }
}

/** A conditional create found the entity already there. Maps to 409. */
export class AlreadyExistsError extends ServiceError {
  constructor(resource: string, id: string, options: ServiceErrorOptions = {}) {
    super('AlreadyExists', `${resource} ${id} already exists`, { ...options, details: { ...options.details, resource, id } });
  }
}

/** An ETag-conditional write lost a race: re-read and try again. Maps to 409. */
export class ConcurrencyConflictError extends ServiceError {
  constructor(resource: string, id: string, options: ServiceErrorOptions = {}) {
    super('ConcurrencyConflict', `${resource} ${id} was changed by someone else; re-read and retry`, {
      ...options,
      details: { ...options.details, resource, id },
    });
  }
}

/** The subscription state machine refused an event in the current state. Maps to 409. */
export class InvalidTransitionError extends ServiceError {
  constructor(message: string, options: ServiceErrorOptions = {}) {
    super('InvalidTransition', message, options);
  }
}

/** A request body is larger than the endpoint accepts. Maps to 413. */
export class PayloadTooLargeError extends ServiceError {
  readonly limitBytes: number;

  constructor(limitBytes: number, options: ServiceErrorOptions = {}) {
    super('PayloadTooLarge', `Request body exceeds the limit of ${limitBytes} bytes`, {
      ...options,
      details: { ...options.details, limitBytes },
    });
    this.limitBytes = limitBytes;
  }
}

/** A request body in a media type the endpoint does not take (e.g. a form post to a JSON endpoint). Maps to 415. */
export class UnsupportedMediaTypeError extends ServiceError {
  constructor(contentType: string, accepted: string, options: ServiceErrorOptions = {}) {
    super('UnsupportedMediaType', `Request body must be ${accepted}, sent with content-type ${accepted} or none; got ${contentType}`, {
      ...options,
      details: { ...options.details, contentType, accepted },
    });
  }
}

/** Settings are missing or invalid. Raised once, at start-up of the first invocation. */
export class ConfigurationError extends ServiceError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super('InvalidConfiguration', `Invalid configuration: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** A dependency (the marketplace, storage) is unavailable right now. Maps to 503. */
export class DependencyUnavailableError extends ServiceError {
  constructor(dependency: string, message: string, options: ServiceErrorOptions = {}) {
    super('DependencyUnavailable', message, { ...options, details: { ...options.details, dependency } });
  }
}

function describeThrown(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Cycles, BigInt or a throwing toJSON: fall back to String().
  }
  try {
    return String(value);
  } catch {
    // No usable toString (a null-prototype object, or one whose toString throws).
    return Object.prototype.toString.call(value);
  }
}

/** Normalises anything thrown into an Error, keeping the original as `cause`. Never throws. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  return new Error(`Non-error thrown: ${describeThrown(value)}`, { cause: value });
}
