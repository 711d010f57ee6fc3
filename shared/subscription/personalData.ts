import { redactText } from '../logging';
import type { HistoryEntry } from '../storage/historyStore';
import type { Party, SubscriptionRecord } from './model';

/**
 * Personal data in a subscription record: the subscription name (the buyer chooses it, and it often
 * holds a person's name), and in the purchaser and beneficiary their e-mail address, Entra object id
 * and PUID. What billing and audit need stays: ids, offer, plan, seats, status, term, dates, flags,
 * and the customer's tenant id (an organisation, not a person).
 */
export const ERASED_NAME = '';
const PERSONAL_PARTY_FIELDS = ['emailId', 'objectId', 'puid'] as const satisfies ReadonlyArray<keyof Party>;
/** Field names whose values are personal wherever they appear in a history row's from/to values. */
const PERSONAL_KEYS = new Set<string>(['name', 'purchaser', 'beneficiary', ...PERSONAL_PARTY_FIELDS]);

function partyWithoutPersonalData(party: Party | undefined): Party | undefined {
  return party?.tenantId === undefined ? undefined : { tenantId: party.tenantId };
}

function holdsPersonalParty(party: Party | undefined): boolean {
  return party !== undefined && PERSONAL_PARTY_FIELDS.some((field) => party[field] !== undefined && party[field] !== null);
}

/** The personal fields `record` still holds (empty once erased). */
export function personalFieldsOf(record: SubscriptionRecord): string[] {
  const fields: string[] = [];
  if (record.name !== ERASED_NAME) fields.push('name');
  if (holdsPersonalParty(record.purchaser)) fields.push('purchaser');
  if (holdsPersonalParty(record.beneficiary)) fields.push('beneficiary');
  if (record.lastError !== undefined && redactText(record.lastError.message) !== record.lastError.message) fields.push('lastError');
  return fields;
}

/** `record` without personal data, marked as erased at `at` (an earlier mark is kept). */
export function withoutPersonalData(record: SubscriptionRecord, at: string): SubscriptionRecord {
  const next: SubscriptionRecord = { ...record, name: ERASED_NAME, personalDataErasedAt: record.personalDataErasedAt ?? at };
  const purchaser = partyWithoutPersonalData(record.purchaser);
  const beneficiary = partyWithoutPersonalData(record.beneficiary);
  if (purchaser === undefined) delete next.purchaser;
  else next.purchaser = purchaser;
  if (beneficiary === undefined) delete next.beneficiary;
  else next.beneficiary = beneficiary;
  if (record.lastError !== undefined) next.lastError = { ...record.lastError, message: redactText(record.lastError.message) };
  return next;
}

/**
 * A history row without personal data, or undefined when it holds none: personal keys in its
 * from/to values become null, e-mail addresses and tokens in its text are masked.
 */
export function historyEntryWithoutPersonalData(entry: HistoryEntry): HistoryEntry | undefined {
  const from = scrubValue(entry.from);
  const to = scrubValue(entry.to);
  const detail = entry.detail === undefined ? undefined : redactText(entry.detail);
  if (from === entry.from && to === entry.to && detail === entry.detail) return undefined;
  const next: HistoryEntry = { ...entry, from, to };
  if (detail !== undefined) next.detail = detail;
  if (from === undefined) delete next.from;
  if (to === undefined) delete next.to;
  return next;
}

/** The same value (identical, when nothing is personal) or a copy with personal parts removed. */
function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const redacted = redactText(value);
    return redacted === value ? value : redacted;
  }
  if (Array.isArray(value)) {
    const items = value.map(scrubValue);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const next = PERSONAL_KEYS.has(key) ? (item === null || item === ERASED_NAME ? item : null) : scrubValue(item);
    if (next !== item) changed = true;
    out[key] = next;
  }
  return changed ? out : value;
}
