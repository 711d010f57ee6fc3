import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { checkInfraFolder } from './checks';

/**
 * `npm run infra:check`: the offline checks of infra/ (tree-sitter-bicep syntax trees, see checks.ts),
 * then `bicep build` and `bicep lint` of infra/main.bicep when a `bicep` executable is on the PATH.
 * It says plainly which of the two it ran. Exit code 1 when anything failed.
 */

export interface CommandResult {
  /** null when the command could not be started (not installed). */
  status: number | null;
  stdout: string;
  stderr: string;
}

export type RunCommand = (command: string, args: string[]) => CommandResult;

const runCommand: RunCommand = (command, args) => {
  const run = spawnSync(command, args, { encoding: 'utf8', shell: process.platform === 'win32' });
  return { status: run.error === undefined ? run.status : null, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
};

export function runInfraCheck(infraDir: string, write: (line: string) => void, run: RunCommand = runCommand): number {
  const { files, results } = checkInfraFolder(infraDir);
  write(`Offline checks (tree-sitter-bicep) of ${files.length} Bicep files: ${files.map((f) => f.path).join(', ')}`);
  let failed = 0;
  for (const result of results) {
    const ok = result.problems.length === 0;
    if (!ok) failed += 1;
    write(`  ${ok ? 'ok  ' : 'FAIL'} ${result.name}`);
    for (const problem of result.problems) write(`         ${problem}`);
  }
  write(`${results.length - failed} of ${results.length} offline checks passed.`);

  if (run('bicep', ['--version']).status !== 0) {
    write('bicep build / bicep lint: NOT run (no `bicep` executable on the PATH; the Azure CLI installs one with `az bicep install`).');
    return failed === 0 ? 0 : 1;
  }
  const main = path.join(infraDir, 'main.bicep');
  for (const args of [['build', main, '--stdout'], ['lint', main]]) {
    const result = run('bicep', args);
    const ok = result.status === 0;
    write(`bicep ${args[0]}: ${ok ? 'passed' : 'FAILED'}`);
    const output = args[0] === 'build' ? result.stderr : `${result.stdout}${result.stderr}`;
    if (output.trim() !== '') write(output.trim().replace(/^/gm, '         '));
    if (!ok) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = runInfraCheck(path.resolve(__dirname, '..', '..', '..', 'infra'), (line) => console.log(line));
}
