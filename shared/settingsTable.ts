import { SETTINGS } from './config';

/** The README's settings table, generated from the schema so that the two cannot disagree. */
export function settingsTableMarkdown(): string {
  const rows = Object.entries(SETTINGS).map(([name, setting]) => {
    const s = setting as { description: string; default?: string; required?: boolean | string };
    const required = s.required === true ? 'yes' : typeof s.required === 'string' ? s.required : 'no';
    const fallback = s.default === undefined ? '' : s.default === '' ? '(empty)' : `\`${s.default}\``;
    return `| \`${name}\` | ${required} | ${fallback} | ${s.description} |`;
  });
  return ['| Setting | Required | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
