import type { HttpResponseInit } from '@azure/functions';
import { DependencyUnavailableError, NotFoundError, ValidationError } from '../errors';
import type { Logger } from '../logging';
import { markup } from '../web/markup';
import { redirect } from '../web/page';
import type { FormBodyRequest } from '../web/readFormBody';
import { ADMIN_ROLE, checkAccess, CONSOLE_BASE, READER_ROLE, type Operator } from './access';
import { performAction, serveSignIn } from './consoleActions';
import type { ConsoleDeps } from './consoleDependencies';
import { consoleGet } from './consolePages';
import { renderConsolePage } from './layout';

export interface ConsoleRequest extends FormBodyRequest {
  method: string;
  url: string;
  invocationId: string;
}

/** The path below /api/console as segments (`[]` for the overview). */
export function consoleSegments(url: string): string[] {
  const path = new URL(url, 'http://localhost').pathname;
  const rest = path.toLowerCase().startsWith(CONSOLE_BASE) ? path.slice(CONSOLE_BASE.length) : path;
  return rest
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
}

function errorPage(operator: Operator | undefined, development: boolean, status: number, title: string, text: string): HttpResponseInit {
  return renderConsolePage(operator, { status, title, development, body: markup`<p class="status status-error" role="alert">${text}</p><p><a href="${CONSOLE_BASE}">Back to the overview</a></p>` });
}

/**
 * Every console request: who is asking (Easy Auth roles or the development sign-in), then the page
 * (GET) or the action (POST: admin role, anti-forgery token, then 303 back to a page). Never throws;
 * failures become pages that say what is wrong (the full error is logged, without personal data).
 */
export async function serveConsole(load: () => ConsoleDeps, request: ConsoleRequest, fallbackLogger: Logger): Promise<HttpResponseInit> {
  let logger = fallbackLogger;
  let operator: Operator | undefined;
  let development = false;
  try {
    const deps = load();
    logger = deps.logger;
    development = deps.settings.auth === 'development';
    const segments = consoleSegments(request.url);
    const post = request.method.toUpperCase() === 'POST';
    const access = checkAccess(deps.settings, request, deps.admin.clock.now());
    switch (access.kind) {
      case 'disabled':
        return errorPage(undefined, false, 404, 'The operator console is turned off', 'Set CONSOLE_AUTH (easyAuth in Azure) and CONSOLE_FORM_SECRET to turn it on.');
      case 'notLoopback':
        return errorPage(undefined, false, 403, 'Development sign-in refused', 'The development sign-in works only on this machine (127.0.0.1, no proxy). Use App Service Authentication (CONSOLE_AUTH=easyAuth) anywhere else.');
      case 'signIn':
        if (development && (segments[0] === 'signin' || segments[0] === 'signout')) return await serveSignIn(deps, request, segments[0], post);
        return post ? errorPage(undefined, development, 401, 'Sign in first', 'Nothing was changed: your session has ended. Sign in and try again.') : redirect(302, access.location);
      case 'forbidden':
        return errorPage(undefined, development, 403, `You need the ${access.missing} role`, `${access.name} is signed in but has neither the ${READER_ROLE} nor the ${ADMIN_ROLE} app role. Ask an administrator to assign one in Microsoft Entra ID (Enterprise applications → Users and groups).`);
      case 'operator':
        operator = access.operator;
    }
    if (development && (segments[0] === 'signin' || segments[0] === 'signout')) return await serveSignIn(deps, request, segments[0], post);
    if (!post) return await consoleGet(deps, operator, segments, request);
    if (!operator.canAct) return errorPage(operator, development, 403, `You need the ${ADMIN_ROLE} role`, `Nothing was changed: this action needs the ${ADMIN_ROLE} app role, and ${operator.name} has ${READER_ROLE} only.`);
    return await performAction(deps, operator, segments, request);
  } catch (error) {
    if (error instanceof NotFoundError) return errorPage(operator, development, 404, 'Not found', error.message);
    if (error instanceof ValidationError) return errorPage(operator, development, 400, 'Check what you entered', [error.message, ...error.issues].join(' · '));
    const unavailable = error instanceof DependencyUnavailableError;
    logger[unavailable ? 'warn' : 'error']('console request failed', { error, invocationId: request.invocationId });
    if (unavailable) return errorPage(operator, development, 503, 'Temporarily unavailable', 'A service the console depends on did not answer. Nothing was lost: try again in a minute.');
    return errorPage(operator, development, 500, 'Something went wrong', `Quote reference ${request.invocationId} when you report it.`);
  }
}
