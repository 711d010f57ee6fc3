// Compiles the app, dev tools and fixtures once per jest run, so that tests which start the local
// Functions host or the emulator as child processes run the same JavaScript that `npm start` runs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..', '..');
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
};
