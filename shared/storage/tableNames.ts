import { ConfigurationError } from '../errors';

/** Base names of the app's tables; an optional prefix (tests, side-by-side deployments) goes in front. */
export const TABLE_NAMES = {
  subscriptions: 'subscriptions',
  operations: 'operations',
  history: 'history',
  search: 'subscriptionsearch',
} as const;

export type TableKind = keyof typeof TABLE_NAMES;

/** Azure table names: a letter, then letters and digits, 3–63 characters in all; `Tables` is reserved. */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function isValidTableName(name: string): boolean {
  return TABLE_NAME.test(name) && name.toLowerCase() !== 'tables';
}

/** The full table name for `kind` with `prefix` in front; throws ConfigurationError if it is not a valid name. */
export function tableName(kind: TableKind, prefix = ''): string {
  const name = `${prefix}${TABLE_NAMES[kind]}`;
  if (!isValidTableName(name)) {
    throw new ConfigurationError([
      `table name prefix "${prefix}" gives the invalid table name "${name}" (letters and digits only, starting with a letter, at most 63 characters)`,
    ]);
  }
  return name;
}
