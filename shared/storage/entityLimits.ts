import { ValidationError } from '../errors';

/** 64 KiB per string property, stored as UTF-16: 32,768 code units (Azurite accepts 32,768, refuses 32,769). */
export const MAX_STRING_PROPERTY_LENGTH = 32_768;
/** 1 MiB per entity, keys and property names included. */
export const MAX_ENTITY_BYTES = 1024 * 1024;

type EntityValue = string | number | boolean | bigint | Date | null | undefined;

/** Size of one property as the service counts it (documented formula, UTF-16 strings). */
function propertyBytes(name: string, value: EntityValue): number {
  const nameBytes = 8 + name.length * 2;
  if (typeof value === 'string') return nameBytes + 4 + value.length * 2;
  if (typeof value === 'boolean') return nameBytes + 1;
  return nameBytes + 8;
}

/**
 * Throws ValidationError when an entity would be refused for size (before any request, so the fake
 * and the Azure adapter fail alike). `what` names the record in the message.
 */
export function assertEntityWithinLimits(entity: Record<string, EntityValue>, what: string): void {
  const issues: string[] = [];
  let total = 4;
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined) continue;
    if (typeof value === 'string' && value.length > MAX_STRING_PROPERTY_LENGTH) {
      issues.push(`${name} is ${value.length} characters; the limit is ${MAX_STRING_PROPERTY_LENGTH}`);
    }
    total += propertyBytes(name, value);
  }
  if (total > MAX_ENTITY_BYTES) issues.push(`the entity is about ${total} bytes; the limit is ${MAX_ENTITY_BYTES}`);
  if (issues.length > 0) throw new ValidationError(`${what} is too large for Table Storage`, issues);
}
