import type { ConsoleSettings } from '../config';
import { createSignedFormToken, verifySignedFormToken } from '../web/formToken';
import { readSignedInUser, signInLocation } from '../web/signedInUser';

/** The Entra app roles of the console (App registration → App roles; assign them in Enterprise applications). */
export const ADMIN_ROLE = 'Console.Admin';
export const READER_ROLE = 'Console.Reader';
export type ConsoleRole = typeof ADMIN_ROLE | typeof READER_ROLE;

/** Who is using the console. Their name goes into the history of what they change; never log their e-mail. */
export interface Operator {
  /** Stable id: Entra object id, else the sign-in name (form tokens are bound to it). */
  id: string;
  name: string;
  canRead: boolean;
  canAct: boolean;
  via: 'easyAuth' | 'development';
}

export type Access =
  | { kind: 'operator'; operator: Operator }
  /** Not signed in: where to sign in. */
  | { kind: 'signIn'; location: string }
  /** Signed in without a console role. */
  | { kind: 'forbidden'; missing: ConsoleRole; name: string }
  /** The development sign-in asked for from somewhere that is not this machine. */
  | { kind: 'notLoopback' }
  | { kind: 'disabled' };

export interface AccessRequest {
  url: string;
  headers: Headers;
}

export const CONSOLE_BASE = '/api/console';
export const DEV_SESSION_COOKIE = 'console_dev_session';
export const DEV_SESSION_TTL_SECONDS = 8 * 3600;
const DEV_SESSION_PURPOSE = 'saas-fulfillment/console-dev-session';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/**
 * Headers that proxies and the App Service front end add: a request that carries one did not come
 * straight from this machine's browser, whatever its Host says.
 */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-arr-log-id', 'x-arr-ssl', 'client-ip', 'x-original-url', 'x-waws-unencoded-url', 'x-site-deployment-id'];

/**
 * The development sign-in runs only for a request addressed to a loopback host with no proxy header.
 * Configuration adds the other half: CONSOLE_AUTH=development is refused where App Service's
 * WEBSITE_* variables are set (shared/config.ts), so it cannot be turned on in Azure by mistake.
 */
export function isLoopbackRequest(request: AccessRequest): boolean {
  const host = new URL(request.url, 'http://invalid.invalid').hostname.toLowerCase();
  const forwarded = FORWARDING_HEADERS.some((name) => request.headers.has(name));
  const hostHeader = request.headers.get('host');
  const hostHeaderLoopback = hostHeader === null || LOOPBACK.has(new URL(`http://${hostHeader}`).hostname.toLowerCase());
  return LOOPBACK.has(host) && hostHeaderLoopback && !forwarded;
}

interface DevSession {
  name: string;
  role: ConsoleRole;
}

function encodeSession(session: DevSession): string {
  return Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
}

/** The signed cookie value of a development sign-in. */
export function createDevSession(session: DevSession, secret: string, now: Date): string {
  const payload = encodeSession(session);
  return `${payload}.${createSignedFormToken({ purpose: DEV_SESSION_PURPOSE, subject: payload, secret, now, ttlSeconds: DEV_SESSION_TTL_SECONDS })}`;
}

function readDevSession(headers: Headers, secret: string, now: Date): DevSession | undefined {
  const cookie = (headers.get('cookie') ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${DEV_SESSION_COOKIE}=`));
  const value = cookie?.slice(DEV_SESSION_COOKIE.length + 1) ?? '';
  const dot = value.indexOf('.');
  if (dot < 1) return undefined;
  const payload = value.slice(0, dot);
  if (!verifySignedFormToken({ purpose: DEV_SESSION_PURPOSE, token: value.slice(dot + 1), subject: payload, secret, now }).ok) return undefined;
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<DevSession>;
    if (typeof session.name !== 'string' || (session.role !== ADMIN_ROLE && session.role !== READER_ROLE)) return undefined;
    return { name: session.name, role: session.role };
  } catch {
    return undefined;
  }
}

function operatorOf(id: string, name: string, roles: readonly string[], via: Operator['via']): Operator {
  const canAct = roles.includes(ADMIN_ROLE);
  return { id, name, canAct, canRead: canAct || roles.includes(READER_ROLE), via };
}

/**
 * Who is asking, and may they read the console at all. `easyAuth`: App Service Authentication has
 * validated the session and forwards `x-ms-client-principal` (with the `roles` claims).
 * `development`: the signed cookie of the local sign-in page, on loopback only.
 */
export function checkAccess(settings: Readonly<ConsoleSettings>, request: AccessRequest, now: Date): Access {
  if (settings.auth === 'off' || settings.formSecret === undefined) return { kind: 'disabled' };
  let operator: Operator | undefined;
  if (settings.auth === 'development') {
    if (!isLoopbackRequest(request)) return { kind: 'notLoopback' };
    const session = readDevSession(request.headers, settings.formSecret, now);
    if (session === undefined) return { kind: 'signIn', location: `${CONSOLE_BASE}/signin?returnTo=${encodeURIComponent(pathOf(request.url))}` };
    operator = operatorOf(`dev:${session.name}`, session.name, [session.role], 'development');
  } else {
    const user = readSignedInUser(request.headers, { trusted: true });
    if (user === undefined) return { kind: 'signIn', location: signInLocation(request.url) };
    operator = operatorOf(user.userId ?? user.username ?? user.name, user.name, user.roles ?? [], 'easyAuth');
  }
  if (!operator.canRead) return { kind: 'forbidden', missing: READER_ROLE, name: operator.name };
  return { kind: 'operator', operator };
}

/** Path and query of a URL. */
export function pathOf(url: string): string {
  const parsed = new URL(url, 'http://localhost');
  return `${parsed.pathname}${parsed.search}`;
}

/** Only console paths are followed after a sign-in (no open redirect). */
export function safeReturnTo(value: string | null | undefined): string {
  return value && value.startsWith(`${CONSOLE_BASE}`) && !value.startsWith('//') && !value.includes('\\') ? value : CONSOLE_BASE;
}
