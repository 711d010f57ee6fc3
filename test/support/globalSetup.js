// Compiles the app, dev tools and fixtures once per jest run, so that tests which start the local
// Functions host or the emulator as child processes run the same JavaScript that `npm start` runs.
// Type errors do not stop the run here (tsc still emits); `npm run typecheck` is the gate for them.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..', '..');
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0 && !/error TS/.test(result.stdout)) {
    throw new Error(`Build for tests failed:\n${result.stdout}\n${result.stderr}`);
  }
};
