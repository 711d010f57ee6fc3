import { readFileSync } from 'node:fs';
import path from 'node:path';
import { settingsTableMarkdown } from '../../shared/settingsTable';

const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer runs', () => {
    // Assess
    const firstBlock = /```(?:sh|bash)?[^\n]*\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('holds the settings table generated from the configuration schema', () => {
    // Assess
    expect(readme).toContain(settingsTableMarkdown()); // run `npm run docs` to regenerate
  });
});
