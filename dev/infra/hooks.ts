import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * The azd hooks of azure.yaml (`node dist/dev/infra/hooks.js preprovision|postprovision`). azd runs
 * them with the environment's values as environment variables.
 *
 * - preprovision: refuses a combination of settings that would deploy a broken app, and generates
 *   the app's two signing keys once, into the azd environment (kept there, so every later
 *   `azd provision` passes the same values and Key Vault keeps them stable).
 * - postprovision: prints what Partner Center's Technical configuration asks for.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export const GENERATED_SECRETS = ['LANDING_FORM_SECRET', 'ISV_WEBHOOK_SECRET'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const present = (env: Env, name: string): boolean => (env[name] ?? '').trim() !== '';

/** What is wrong with the azd environment for provisioning, in words an operator can act on. */
export function provisionProblems(env: Env): string[] {
  const problems: string[] = [];
  const mode = env.MARKETPLACE_AUTH_MODE?.trim() || 'managedIdentity';
  if (mode !== 'managedIdentity' && mode !== 'clientSecret') {
    problems.push(`MARKETPLACE_AUTH_MODE must be managedIdentity or clientSecret (got ${JSON.stringify(mode)})`);
  }
  if (mode === 'clientSecret') {
    if (!GUID.test(env.MARKETPLACE_CLIENT_ID?.trim() ?? '')) problems.push('MARKETPLACE_CLIENT_ID must be the application (client) id of your Entra app registration in clientSecret mode: azd env set MARKETPLACE_CLIENT_ID <guid>');
    if (!present(env, 'MARKETPLACE_CLIENT_SECRET')) problems.push('MARKETPLACE_CLIENT_SECRET is required in clientSecret mode: azd env set MARKETPLACE_CLIENT_SECRET <secret>');
  }
  if (present(env, 'MARKETPLACE_TENANT_ID') && !GUID.test(env.MARKETPLACE_TENANT_ID!.trim())) problems.push('MARKETPLACE_TENANT_ID must be a GUID (or unset: the tenant of the subscription)');
  const easyAuth = env.LANDING_EASY_AUTH?.trim().toLowerCase() === 'true';
  if (easyAuth && !GUID.test(env.EASY_AUTH_CLIENT_ID?.trim() ?? '')) problems.push('LANDING_EASY_AUTH=true needs EASY_AUTH_CLIENT_ID, the application id of the Entra app registration buyers sign in with');
  if (env.LANDING_REQUIRE_SIGN_IN?.trim().toLowerCase() === 'true' && !easyAuth) problems.push('LANDING_REQUIRE_SIGN_IN=true needs LANDING_EASY_AUTH=true');
  for (const name of ['LANDING_SUPPORT_URL', 'ISV_WEBHOOK_URL', 'ISV_DECISION_URL']) {
    if (present(env, name) && !/^https:\/\/[^\s/]+/.test(env[name]!.trim())) problems.push(`${name} must be an https URL`);
  }
  return problems;
}

/** The signing keys missing from the environment, each with a new random value (48 bytes, base64url). */
export function secretsToGenerate(env: Env, random: (bytes: number) => Buffer = randomBytes): Array<[string, string]> {
  return GENERATED_SECRETS.filter((name) => (env[name] ?? '').length < 32).map((name) => [name, random(48).toString('base64url')]);
}

/** The lines that tell the publisher what to enter in Partner Center. */
export function partnerCenterLines(env: Env): string[] {
  const value = (name: string): string => env[name]?.trim() || `(missing: ${name} is not in the azd environment; run azd provision)`;
  const lines = [
    '',
    'Partner Center > your SaaS offer > Technical configuration:',
    `  Landing page URL                 ${value('PARTNER_CENTER_LANDING_PAGE_URL')}`,
    `  Connection webhook               ${value('PARTNER_CENTER_CONNECTION_WEBHOOK')}`,
    `  Microsoft Entra tenant ID        ${value('PARTNER_CENTER_TENANT_ID')}`,
    `  Microsoft Entra application ID   ${value('PARTNER_CENTER_APPLICATION_ID')}`,
    '',
  ];
  if ((env.MARKETPLACE_AUTH_MODE?.trim() || 'managedIdentity') === 'managedIdentity') {
    lines.push('The application ID is the client id of the app\'s managed identity: there is no secret to rotate.');
  } else {
    lines.push('The application ID is your Entra app registration; its secret is in Key Vault (renew it before it expires, see docs/deploy.md).');
  }
  lines.push('Then publish the offer\'s Technical configuration; see docs/deploy.md for the rest.', '');
  return lines;
}

function azdEnvSet(name: string, value: string): void {
  execFileSync('azd', ['env', 'set', name, value], { stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
}

export function runHook(hook: string | undefined, env: Env, write: (line: string) => void, setEnv: (name: string, value: string) => void = azdEnvSet): number {
  if (hook === 'preprovision') {
    const problems = provisionProblems(env);
    if (problems.length > 0) {
      for (const problem of problems) write(`error: ${problem}`);
      return 1;
    }
    for (const [name, value] of secretsToGenerate(env)) {
      setEnv(name, value);
      write(`Generated ${name} into the azd environment (stored in Key Vault at provisioning; kept for later runs).`);
    }
    return 0;
  }
  if (hook === 'postprovision') {
    for (const line of partnerCenterLines(env)) write(line);
    return 0;
  }
  write(`usage: node dist/dev/infra/hooks.js preprovision|postprovision (got ${JSON.stringify(hook)})`);
  return 2;
}

if (require.main === module) {
  process.exitCode = runHook(process.argv[2], process.env, (line) => console.log(line));
}
