import type { EmulatorContext } from './context';
import { apiError, header, HttpError, type Handler } from './http';
import { API_VERSION } from './model';
import { bearerProblem } from './tokens';

export type ErrorShape = 'fulfillment' | 'metering';

/** The metering API's documented error shape: `{ code, message, target, details }`. */
export function meteringError(status: number, code: string, message: string, target = 'usageEventRequest'): HttpError {
  return new HttpError(status, { code, message, target, details: [{ code, message, target }] });
}

function shapedError(shape: ErrorShape, status: number, code: string, message: string, target: string): HttpError {
  return shape === 'metering' ? meteringError(status, code, message, target) : apiError(status, code, message);
}

/**
 * Wraps a Marketplace API handler: `api-version=2018-08-31` is required (400), then a bearer token
 * issued by the emulator for the Marketplace resource to the publisher app (403, as Microsoft answers).
 */
export function guarded(ctx: EmulatorContext, shape: ErrorShape, handler: Handler): Handler {
  return (req) => {
    const version = req.url.searchParams.get('api-version');
    if (version === null) throw shapedError(shape, 400, 'BadArgument', 'The api-version query parameter is required.', 'api-version');
    if (version !== API_VERSION) {
      throw shapedError(shape, 400, 'BadArgument', `The api-version '${version}' is not supported; use ${API_VERSION}.`, 'api-version');
    }
    const problem = bearerProblem(ctx, header(req, 'authorization'));
    if (problem !== undefined) throw shapedError(shape, 403, 'Forbidden', problem, 'authorization');
    return handler(req);
  };
}
