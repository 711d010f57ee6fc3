import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getDependencies } from '../shared/dependencies';
import { landingDependencies, type LandingAppDependencies, serveLandingPage } from '../shared/landing';
import { loggerFromContext } from '../shared/logging';

/**
 * GET /api/landing?token=…: the landing page Microsoft opens after a purchase and for "Manage
 * account". Anonymous at the host level: the purchase token (and Easy Auth, when configured) is
 * the credential. Always answers with an HTML page or a redirect.
 */
export function createLandingHandler(getDeps: (context: InvocationContext) => LandingAppDependencies = getDependencies) {
  return function landing(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    return serveLandingPage(
      () => landingDependencies(getDeps(context), context),
      { url: request.url, headers: request.headers, invocationId: context.invocationId },
      loggerFromContext(context),
    );
  };
}

app.http('landing', { route: 'landing', methods: ['GET'], authLevel: 'anonymous', handler: createLandingHandler() });
