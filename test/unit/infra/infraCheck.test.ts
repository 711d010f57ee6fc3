import path from 'node:path';
import { runInfraCheck, type CommandResult } from '../../../dev/infra/check';
import { CHECKS } from '../../../dev/infra/checks';

const infraDir = path.join(__dirname, '..', '..', '..', 'infra');

function check(bicep: (args: string[]) => CommandResult): { code: number; output: string; calls: string[][] } {
  const lines: string[] = [];
  const calls: string[][] = [];
  const code = runInfraCheck(infraDir, (line) => lines.push(line), (command, args) => {
    calls.push([command, ...args]);
    return bicep(args);
  });
  return { code, output: lines.join('\n'), calls };
}

describe('npm run infra:check', () => {
  it('says plainly that bicep build and lint did not run when no bicep is on the PATH', () => {
    // Act
    const { code, output, calls } = check(() => ({ status: null, stdout: '', stderr: '' }));

    // Assess
    expect(code).toBe(0);
    expect(output).toContain(`${CHECKS.length} of ${CHECKS.length} offline checks passed.`);
    expect(output).toContain('bicep build / bicep lint: NOT run (no `bicep` executable on the PATH');
    expect(calls).toEqual([['bicep', '--version']]);
  });

  it('runs bicep build and bicep lint of main.bicep when bicep is there, and fails with the linter', () => {
    // Act
    const { code, output, calls } = check((args) =>
      args[0] === 'lint' ? { status: 1, stdout: 'main.bicep(12,7) : Warning no-unused-params: Parameter "x" is declared but never used.', stderr: '' } : { status: 0, stdout: '{}', stderr: '' },
    );

    // Assess
    expect(code).toBe(1);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([['bicep', '--version'], ['bicep', 'build'], ['bicep', 'lint']]);
    expect(calls[1]![2]).toBe(path.join(infraDir, 'main.bicep'));
    expect(output).toContain('bicep build: passed');
    expect(output).toContain('bicep lint: FAILED');
    expect(output).toContain('no-unused-params');
  });
});
