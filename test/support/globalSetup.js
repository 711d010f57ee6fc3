// Once per jest run:
// 1. compiles the app, dev tools and fixtures, so that tests which start the local Functions host or
//    the emulator as child processes run the same JavaScript that `npm start` runs (type errors do
//    not stop the run here: tsc still emits, and `npm run typecheck` is the gate for them);
// 2. when end-to-end tests are part of the run, starts the whole local stack (Azurite, emulator,
//    host) on free loopback ports and writes its addresses to .tmp/e2e-stack.json for the tests.
const { spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const STACK_FILE = path.join(root, '.tmp', 'e2e-stack.json');

function build() {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0 && !/error TS/.test(result.stdout)) {
    throw new Error(`Build for tests failed:\n${result.stdout}\n${result.stderr}`);
  }
}

function runIncludesE2e(globalConfig) {
  const patterns = globalConfig.testPathPatterns?.patterns ?? (globalConfig.testPathPattern ? [globalConfig.testPathPattern] : []);
  if (patterns.length === 0) return true;
  return patterns.some((p) => /e2e/.test(p) || 'test/e2e/'.match(new RegExp(p)));
}

module.exports = async function globalSetup(globalConfig) {
  build();
  rmSync(STACK_FILE, { force: true });
  if (!runIncludesE2e(globalConfig)) return;
  const { startStack } = require(path.join(root, 'dist', 'dev', 'stack.js'));
  const stack = await startStack({
    appDir: root,
    hostPort: 0,
    emulatorPort: 0,
    authorityPort: 0,
    ackWindowMs: 4000,
    // Tests seed drift and drop webhooks on purpose; the hourly reconciliation must not heal them
    // mid-run (reconciliation has its own tests, which call it explicitly).
    settingsOverrides: { RECONCILE_EVERY_HOURS: '0' },
    hostArgs: ['--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.500'],
  });
  globalThis.__E2E_STACK__ = stack;
  mkdirSync(path.dirname(STACK_FILE), { recursive: true });
  writeFileSync(
    STACK_FILE,
    JSON.stringify({
      hostUrl: stack.hostUrl,
      emulatorUrl: stack.emulator.url,
      emulatorApiUrl: stack.emulator.apiBaseUrl,
      storageConnectionString: stack.azurite.connectionString,
      settings: stack.settings,
    }),
  );
};
