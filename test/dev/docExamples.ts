import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The convention for code blocks in README.md and docs/*.md (see "Examples in the documentation" in
 * the README):
 * - a block fenced as ```sh is runnable: it is run, in order, in one bash session per file, against
 *   the local stack;
 * - every other block says `not-run` in its info string (```json not-run, ```sh not-run: Azure only),
 *   so nothing is skipped silently.
 */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  body: string;
}

export const ROOT = path.resolve(__dirname, '..', '..');

export function documentationFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

export function codeBlocks(file: string): DocBlock[] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let open: { line: number; info: string; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^```(.*)$/.exec(text);
    if (fence === null) {
      open?.body.push(text);
      return;
    }
    if (open === undefined) open = { line: index + 1, info: (fence[1] ?? '').trim(), body: [] };
    else {
      blocks.push({ file, line: open.line, info: open.info, body: open.body.join('\n') });
      open = undefined;
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: code block never closed`);
  return blocks;
}

export type BlockKind = 'runnable' | 'not-run' | 'unmarked';

export function kindOf(block: DocBlock): BlockKind {
  if (block.info === 'sh') return 'runnable';
  if (/(^|\s)not-run(\s|:|$)/.test(block.info)) return 'not-run';
  return 'unmarked';
}

/** `NAME=<what to put here>` in a runnable block: the reader fills it in, the test puts its own value. */
const ASSIGNED_PLACEHOLDER = /\b([A-Z_][A-Z0-9_]*)=<[^>\n]*>/g;

/**
 * The block as the test runs it: placeholder assignments get the test's values (an unknown name is
 * an error), the stack's default addresses become the test stack's.
 */
export function prepare(block: DocBlock, values: Readonly<Record<string, string>>, addresses: ReadonlyArray<[string, string]>): string {
  let body = block.body.replace(ASSIGNED_PLACEHOLDER, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${block.file}:${block.line}: the test has no value for ${name}=<…> (known: ${Object.keys(values).join(', ')})`);
    return `${name}='${value}'`;
  });
  const code = body
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  const left = /<[^>\s][^>\n]*>/.exec(code);
  if (left !== null) throw new Error(`${block.file}:${block.line}: placeholder ${left[0]} in a runnable block: use a variable set by an earlier line`);
  for (const [from, to] of addresses) body = body.split(from).join(to);
  return body;
}
