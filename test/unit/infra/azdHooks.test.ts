import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_SECRETS, partnerCenterLines, provisionProblems, runHook, secretsToGenerate } from '../../../dev/infra/hooks';

const root = path.join(__dirname, '..', '..', '..');
const GUID = '11111111-2222-3333-4444-555555555555';

function run(hook: string, env: Record<string, string>): { code: number; lines: string[]; set: Map<string, string> } {
  const lines: string[] = [];
  const set = new Map<string, string>();
  const code = runHook(hook, env, (line) => lines.push(line), (name, value) => set.set(name, value));
  return { code, lines, set };
}

describe('azd preprovision hook', () => {
  it('generates both signing keys once, into the azd environment, without printing them', () => {
    // Act
    const first = run('preprovision', {});

    // Assess
    expect(first.code).toBe(0);
    expect([...first.set.keys()]).toEqual([...GENERATED_SECRETS]);
    for (const value of first.set.values()) {
      expect(value).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(first.lines.join('\n')).not.toContain(value);
    }
    expect(new Set(first.set.values()).size).toBe(2);
  });

  it('keeps the keys already in the environment, so re-provisioning leaves Key Vault as it was', () => {
    // Prepare
    const env = { LANDING_FORM_SECRET: 'a'.repeat(64), ISV_WEBHOOK_SECRET: 'b'.repeat(64) };

    // Act
    const again = run('preprovision', env);

    // Assess
    expect(again.code).toBe(0);
    expect(again.set.size).toBe(0);
    expect(secretsToGenerate({ LANDING_FORM_SECRET: 'short' }).map(([name]) => name)).toEqual([...GENERATED_SECRETS]);
  });

  it.each([
    [{ MARKETPLACE_AUTH_MODE: 'certificate' }, /MARKETPLACE_AUTH_MODE must be managedIdentity or clientSecret/],
    [{ MARKETPLACE_AUTH_MODE: 'clientSecret', MARKETPLACE_CLIENT_SECRET: 'x' }, /MARKETPLACE_CLIENT_ID must be the application \(client\) id/],
    [{ MARKETPLACE_AUTH_MODE: 'clientSecret', MARKETPLACE_CLIENT_ID: GUID }, /MARKETPLACE_CLIENT_SECRET is required in clientSecret mode/],
    [{ MARKETPLACE_TENANT_ID: 'contoso.onmicrosoft.com' }, /MARKETPLACE_TENANT_ID must be a GUID/],
    [{ LANDING_EASY_AUTH: 'true' }, /LANDING_EASY_AUTH=true needs EASY_AUTH_CLIENT_ID/],
    [{ LANDING_REQUIRE_SIGN_IN: 'true' }, /LANDING_REQUIRE_SIGN_IN=true needs LANDING_EASY_AUTH=true/],
    [{ ISV_WEBHOOK_URL: 'http://contoso.example/hooks' }, /ISV_WEBHOOK_URL must be an https URL/],
  ])('refuses %j before anything is provisioned', (env, expected) => {
    // Act
    const result = run('preprovision', env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.set.size).toBe(0);
    expect(result.lines).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('accepts both identity modes when complete', () => {
    // Act / Assess
    expect(provisionProblems({})).toEqual([]);
    expect(provisionProblems({ MARKETPLACE_AUTH_MODE: 'clientSecret', MARKETPLACE_CLIENT_ID: GUID, MARKETPLACE_CLIENT_SECRET: 's3cr3t', LANDING_EASY_AUTH: 'true', EASY_AUTH_CLIENT_ID: GUID, LANDING_REQUIRE_SIGN_IN: 'true' })).toEqual([]);
  });
});

describe('azd postprovision hook', () => {
  it('prints the four values of Partner Center\'s Technical configuration from the deployment outputs', () => {
    // Prepare
    const env = {
      PARTNER_CENTER_LANDING_PAGE_URL: 'https://func-abc.azurewebsites.net/api/landing',
      PARTNER_CENTER_CONNECTION_WEBHOOK: 'https://func-abc.azurewebsites.net/api/webhook',
      PARTNER_CENTER_TENANT_ID: GUID,
      PARTNER_CENTER_APPLICATION_ID: '66666666-7777-8888-9999-000000000000',
      LANDING_FORM_SECRET: 'never-printed-never-printed-never-printed',
    };

    // Act
    const { code, lines } = run('postprovision', env);

    // Assess
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/Landing page URL\s+https:\/\/func-abc\.azurewebsites\.net\/api\/landing/);
    expect(text).toMatch(/Connection webhook\s+https:\/\/func-abc\.azurewebsites\.net\/api\/webhook/);
    expect(text).toMatch(new RegExp(`Microsoft Entra tenant ID\\s+${GUID}`));
    expect(text).toMatch(/Microsoft Entra application ID\s+66666666-7777-8888-9999-000000000000/);
    expect(text).toContain('managed identity');
    expect(text).not.toContain('never-printed');
  });

  it('says which value is missing instead of printing an empty line', () => {
    // Act
    const text = partnerCenterLines({ MARKETPLACE_AUTH_MODE: 'clientSecret' }).join('\n');

    // Assess
    expect(text).toContain('(missing: PARTNER_CENTER_LANDING_PAGE_URL is not in the azd environment; run azd provision)');
    expect(text).toContain('app registration');
  });

  it('prints the output names main.bicep declares', () => {
    // Prepare
    const main = readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8');
    const printed = partnerCenterLines({}).join('\n').match(/PARTNER_CENTER_[A-Z_]+/g) ?? [];

    // Assess
    expect(printed).toHaveLength(4);
    for (const name of printed) expect(main).toMatch(new RegExp(`^output ${name} string = `, 'm'));
  });
});

describe('azure.yaml', () => {
  const yaml = readFileSync(path.join(root, 'azure.yaml'), 'utf8');
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('deploys the self-contained build/app folder as a Flex Consumption function, without a remote build', () => {
    // Assess
    expect(yaml).toMatch(/^\s+host: function$/m);
    expect(yaml).toMatch(/^\s+dist: build\/app$/m);
    expect(yaml).toMatch(/^\s+remoteBuild: false$/m);
    // azd's Node packaging runs `npm run build`, then `npm run package`, then zips `dist`.
    expect(scripts.package).toContain('dist/dev/package/package.js');
  });

  it('runs hooks through npm scripts that exist, on POSIX and Windows alike', () => {
    // Prepare
    const used = [...yaml.matchAll(/run: npm run --silent ([\w:-]+) -- (\w+)/g)].map((m): [string, string] => [m[1]!, m[2]!]);

    // Assess
    expect(used).toHaveLength(4);
    for (const [script, hook] of used) {
      expect(scripts[script]).toContain('dist/dev/infra/hooks.js');
      expect(['preprovision', 'postprovision']).toContain(hook);
    }
  });
});
