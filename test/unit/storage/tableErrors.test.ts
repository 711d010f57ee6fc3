import {
  AlreadyExistsError,
  ConcurrencyConflictError,
  DependencyUnavailableError,
  NotFoundError,
} from '../../../shared/errors';
import { translateTableError } from '../../../shared/storage/tableErrors';

/** The shape `@azure/data-tables` throws: a RestError with statusCode and the service's odata error code. */
function restError(statusCode: number | undefined, code?: string): Error {
  return Object.assign(new Error('service said no'), { name: 'RestError', statusCode, details: code === undefined ? undefined : { odataError: { code } } });
}

describe('translateTableError', () => {
  it.each([
    [restError(409, 'EntityAlreadyExists'), AlreadyExistsError],
    [restError(412, 'UpdateConditionNotSatisfied'), ConcurrencyConflictError],
    [restError(404, 'ResourceNotFound'), NotFoundError],
    [restError(503, 'ServerBusy'), DependencyUnavailableError],
    [restError(500), DependencyUnavailableError],
    [restError(undefined), DependencyUnavailableError],
  ])('maps a %s to the project error the caller reacts to', (error, expected) => {
    // Prepare
    const context = { resource: 'Subscription', id: 'sub-1' };

    // Act
    const translated = translateTableError(error, context);

    // Assess
    expect(translated).toBeInstanceOf(expected);
    expect(translated).toMatchObject({ cause: error });
  });

  it.each([[restError(404, 'TableNotFound')], [restError(400, 'PropertyValueTooLarge')], [new TypeError('bug')]])(
    'passes %s through unchanged',
    (error) => {
      // Prepare
      const context = { resource: 'Subscription', id: 'sub-1' };

      // Act
      const translated = translateTableError(error, context);

      // Assess
      expect(translated).toBe(error);
    },
  );
});
