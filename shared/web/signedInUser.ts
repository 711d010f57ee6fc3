import { z } from 'zod';

/** The buyer App Service Authentication (Easy Auth) signed in. Personal data: never log it. */
export interface SignedInUser {
  /** Display name (the `name` claim), else the user name. */
  name: string;
  /** Sign-in name or e-mail (`preferred_username`), when it differs from `name`. */
  username?: string;
  /** Entra object id. */
  userId?: string;
  identityProvider?: string;
  /** Entra app roles assigned to the user (the `roles` claims), e.g. `Console.Admin`. */
  roles?: string[];
}

const claimSchema = z.object({ typ: z.string(), val: z.string() });
/** App Service's `x-ms-client-principal`: base64 of `{ auth_typ, claims: [{ typ, val }], name_typ, role_typ }`. */
const principalSchema = z.looseObject({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(claimSchema).optional(),
  // Static Web Apps shape.
  identityProvider: z.string().optional(),
  userId: z.string().optional(),
  userDetails: z.string().optional(),
});
type Principal = z.infer<typeof principalSchema>;

const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const USERNAME_CLAIMS = ['preferred_username', 'email', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'upn'];

function decodePrincipal(header: string | null): Principal | undefined {
  if (header === null || header.trim() === '') return undefined;
  try {
    const parsed = principalSchema.safeParse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function claim(principal: Principal | undefined, types: readonly (string | undefined)[]): string | undefined {
  for (const type of types) {
    if (type === undefined) continue;
    const value = principal?.claims?.find((c) => c.typ === type)?.val.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * Who is signed in, from the headers App Service Authentication adds after it has validated the
 * session. Those headers are trusted only when `trusted` (LANDING_EASY_AUTH): without Easy Auth in
 * front anybody can send them, so they are ignored. A malformed principal falls back to the
 * `x-ms-client-principal-name` / `-id` / `-idp` headers; nothing usable gives undefined.
 */
export function readSignedInUser(headers: Headers, options: { trusted: boolean }): SignedInUser | undefined {
  if (!options.trusted) return undefined;
  const principal = decodePrincipal(headers.get('x-ms-client-principal'));
  const username = claim(principal, USERNAME_CLAIMS) ?? principal?.userDetails ?? headers.get('x-ms-client-principal-name')?.trim();
  const name = claim(principal, ['name', principal?.name_typ]) ?? username;
  if (!name) return undefined;
  const user: SignedInUser = { name };
  if (username && username !== name) user.username = username;
  const userId = claim(principal, OBJECT_ID_CLAIMS) ?? principal?.userId ?? headers.get('x-ms-client-principal-id')?.trim();
  if (userId) user.userId = userId;
  const identityProvider = principal?.identityProvider ?? principal?.auth_typ ?? headers.get('x-ms-client-principal-idp')?.trim();
  if (identityProvider) user.identityProvider = identityProvider;
  const roleTypes = new Set([...ROLE_CLAIMS, principal?.role_typ]);
  const roles = [...new Set((principal?.claims ?? []).filter((c) => roleTypes.has(c.typ)).map((c) => c.val.trim()))].filter((role) => role !== '');
  if (roles.length > 0) user.roles = roles;
  return user;
}

/** Easy Auth's login path for Microsoft Entra, coming back to `currentUrl` (path and query only). */
export function signInLocation(currentUrl: string): string {
  const url = new URL(currentUrl, 'http://localhost');
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(`${url.pathname}${url.search}`)}`;
}
