import { AlreadyExistsError, ConcurrencyConflictError, DependencyUnavailableError, NotFoundError } from '../errors';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  details?: { odataError?: { code?: string } };
}

function asRestError(error: unknown): RestErrorLike | undefined {
  return error instanceof Error && error.name === 'RestError' ? (error as RestErrorLike) : undefined;
}

/** HTTP status of a storage SDK error (`RestError.statusCode`), if any. */
export function storageStatus(error: unknown): number | undefined {
  const status = asRestError(error)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code: `details.odataError.code` for tables (where `code` is often unset), else `code`. */
export function storageErrorCode(error: unknown): string | undefined {
  const rest = asRestError(error);
  return rest?.details?.odataError?.code ?? rest?.code;
}

export interface TableErrorContext {
  resource: string;
  id: string;
}

/**
 * Maps a Table Storage failure to the project's errors, branching on status and service code (never
 * on message text): 409 → AlreadyExistsError, 412 → ConcurrencyConflictError, 404 (entity) →
 * NotFoundError, 5xx or no response → DependencyUnavailableError. Anything else is returned as is.
 */
export function translateTableError(error: unknown, { resource, id }: TableErrorContext): unknown {
  const status = storageStatus(error);
  const code = storageErrorCode(error);
  if (status === 409 && code !== 'TableBeingDeleted') return new AlreadyExistsError(resource, id, { cause: error });
  if (status === 412) return new ConcurrencyConflictError(resource, id, { cause: error });
  if (status === 404 && code !== 'TableNotFound') return new NotFoundError(resource, id, { cause: error });
  if (isStorageUnavailable(error)) {
    return new DependencyUnavailableError('table-storage', `Table Storage failed on ${resource} ${id}`, { cause: error });
  }
  return error;
}

/** A storage SDK error meaning "the service is unavailable right now": no response, timeout or 5xx. */
export function isStorageUnavailable(error: unknown): boolean {
  if (asRestError(error) === undefined) return false;
  const status = storageStatus(error);
  return status === undefined || status === 408 || status >= 500;
}
