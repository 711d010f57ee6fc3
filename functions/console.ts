import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { consoleDependencies, getConsoleAppDependencies, serveConsole, type ConsoleAppDependencies } from '../shared/console';
import { loggerFromContext } from '../shared/logging';

/**
 * GET and POST /api/console/…: the operator console (server-rendered pages and their forms).
 * Anonymous at the host level, so that no function key ever appears in a browser URL: App Service
 * Authentication and the Console.Admin / Console.Reader app roles (or, on the local stack only, the
 * development sign-in) are checked by the console itself.
 */
export function createConsoleHandler(getWiring: () => ConsoleAppDependencies = getConsoleAppDependencies) {
  return function operatorConsole(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    return serveConsole(
      () => consoleDependencies(getWiring(), context),
      { method: request.method, url: request.url, headers: request.headers, body: request.body, invocationId: context.invocationId },
      loggerFromContext(context),
    );
  };
}

app.http('console', { route: 'console/{*path}', methods: ['GET', 'POST'], authLevel: 'anonymous', handler: createConsoleHandler() });
