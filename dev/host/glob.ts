import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const GLOB_CHARS = /[*?{[]/;

/**
 * Expands entry-point patterns the way the worker expands package.json `main` (a file or a glob
 * such as `dist/functions/*.js`), relative to `baseDir`. Supports `*`, `**`, `?`, `{a,b}` and
 * `[abc]`. Throws when a pattern matches no file, naming the pattern.
 */
export function expandEntryPatterns(patterns: readonly string[], baseDir: string): string[] {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const matches = expandPattern(pattern, baseDir);
    if (matches.length === 0) throw new Error(`No entry point file matches "${pattern}" (relative to ${baseDir})`);
    for (const file of matches) files.add(file);
  }
  return [...files];
}

function expandPattern(pattern: string, baseDir: string): string[] {
  const normalized = pattern.split(path.sep).join('/');
  const absolute = path.isAbsolute(normalized) ? normalized : path.posix.join(baseDir.split(path.sep).join('/'), normalized);
  if (!GLOB_CHARS.test(absolute)) {
    return existsSync(absolute) && statSync(absolute).isFile() ? [path.resolve(absolute)] : [];
  }
  const segments = absolute.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const root = segments.slice(0, firstGlob).join('/') || '/';
  const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
  const includeNodeModules = normalized.includes('node_modules');
  return walk(root, includeNodeModules)
    .filter((relative) => matcher.test(relative))
    .sort()
    .map((relative) => path.resolve(root, relative));
}

function walk(root: string, includeNodeModules: boolean, prefix = ''): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' && !includeNodeModules) continue;
      out.push(...walk(root, includeNodeModules, relative));
    } else if (entry.isFile()) {
      out.push(relative);
    }
  }
  return out;
}

/** Translates a relative glob into an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? '';
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const followedBySlash = glob[i + 2] === '/';
        source += followedBySlash ? '(?:[^/]+/)*' : '.*';
        i += followedBySlash ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) throw new Error(`Unclosed "{" in entry pattern "${glob}"`);
      const options = glob.slice(i + 1, close).split(',').map(escapeRegExp);
      source += `(?:${options.join('|')})`;
      i = close;
    } else if (char === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) throw new Error(`Unclosed "[" in entry pattern "${glob}"`);
      source += `[${glob.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
      i = close;
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
