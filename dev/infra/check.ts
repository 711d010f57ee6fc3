import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { checkInfraFolder } from './checks';

/**
 * `npm run infra:check`: the offline checks of infra/ (tree-sitter-bicep syntax trees, see checks.ts),
 * then `bicep build` and `bicep lint` of infra/main.bicep when a `bicep` executable is on the PATH.
 * It says plainly which of the two it ran. Exit code 1 when anything failed.
 */

const root = path.resolve(__dirname, '..', '..', '..');
const infraDir = path.join(root, 'infra');

function onPath(command: string): boolean {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return probe.error === undefined && probe.status === 0;
}

function main(): number {
  const { files, results } = checkInfraFolder(infraDir);
  console.log(`Offline checks (tree-sitter-bicep) of ${files.length} Bicep files: ${files.map((f) => f.path).join(', ')}`);
  let failed = 0;
  for (const result of results) {
    const ok = result.problems.length === 0;
    if (!ok) failed += 1;
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${result.name}`);
    for (const problem of result.problems) console.log(`         ${problem}`);
  }
  console.log(`${results.length - failed} of ${results.length} offline checks passed.`);

  if (!onPath('bicep')) {
    console.log('bicep build / bicep lint: NOT run (no `bicep` executable on the PATH; the Azure CLI installs one with `az bicep install`).');
    return failed === 0 ? 0 : 1;
  }
  const main = path.join(infraDir, 'main.bicep');
  for (const args of [['build', main, '--stdout'], ['lint', main]]) {
    const run = spawnSync('bicep', args, { encoding: 'utf8', shell: process.platform === 'win32' });
    const ok = run.status === 0;
    console.log(`bicep ${args[0]}: ${ok ? 'passed' : 'FAILED'}`);
    const output = args[0] === 'build' ? run.stderr : `${run.stdout}${run.stderr}`;
    if (output.trim() !== '') console.log(output.trim().replace(/^/gm, '         '));
    if (!ok) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
