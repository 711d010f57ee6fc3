import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settingsTableMarkdown } from '../shared/settingsTable';

/** `npm run docs`: regenerates the generated parts of README.md (the settings table). */
const readme = path.resolve(__dirname, '..', '..', 'README.md');
const text = readFileSync(readme, 'utf8');
const updated = text.replace(/<!-- settings:start -->[\s\S]*?<!-- settings:end -->/, `<!-- settings:start -->\n${settingsTableMarkdown()}\n<!-- settings:end -->`);
writeFileSync(readme, updated);
process.stdout.write(updated === text ? 'README.md is up to date\n' : 'README.md updated\n');
