import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getDependencies } from '../shared/dependencies';
import { landingDependencies, type LandingAppDependencies, serveActivationForm } from '../shared/landing';
import { loggerFromContext } from '../shared/logging';

/**
 * POST /api/landing/activate: the landing page's Activate button (LANDING_ACTIVATION_MODE=confirm).
 * Anonymous at the host level: the signed form token is the credential. Answers 303 back to the
 * page, or an HTML page saying why nothing was done.
 */
export function createLandingActivateHandler(getDeps: (context: InvocationContext) => LandingAppDependencies = getDependencies) {
  return function landingActivate(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    return serveActivationForm(
      () => landingDependencies(getDeps(context), context),
      { url: request.url, headers: request.headers, body: request.body, invocationId: context.invocationId },
      loggerFromContext(context),
    );
  };
}

app.http('landingActivate', { route: 'landing/activate', methods: ['POST'], authLevel: 'anonymous', handler: createLandingActivateHandler() });
