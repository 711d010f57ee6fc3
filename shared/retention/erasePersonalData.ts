import type { Clock } from '../clock';
import { NotFoundError } from '../errors';
import type { Logger } from '../logging';
import { historyKey, type HistoryStore, type SubscriptionStore } from '../storage';
import type { PersonalDataStore } from '../storage/personalDataStore';
import { historyEntryWithoutPersonalData, personalFieldsOf, withoutPersonalData } from '../subscription/personalData';

export interface ErasePersonalDataDeps {
  subscriptions: Pick<SubscriptionStore, 'get' | 'updateWithRetry'>;
  history: Pick<HistoryStore, 'append'>;
  personalData: Pick<PersonalDataStore, 'scrubHistory'>;
  clock: Clock;
  logger: Logger;
}

export interface ErasureReport {
  subscriptionId: string;
  /** When the personal data was (first) erased. */
  erasedAt: string;
  /** The record fields that held personal data and were erased now (empty on a repeat). */
  fieldsErased: string[];
  /** History rows rewritten without personal data now. */
  historyEntriesScrubbed: number;
}

/** Why the erasure happened, for the audit row: an operator's request or the retention period. */
export type ErasureReason = 'request' | 'retention';

/**
 * Erases the personal data of one subscription: its history rows first, then one audit row
 * (`PersonalDataErased`, written once), then the record, whose `personalDataErasedAt` mark keeps
 * every later write from Microsoft's data (webhooks, reconciliation) from bringing it back. Each
 * step is idempotent, so a crash or a second instance running the same erasure only repeats work.
 * NotFoundError for an unknown subscription.
 */
export async function erasePersonalData(deps: ErasePersonalDataDeps, subscriptionId: string, reason: ErasureReason): Promise<ErasureReport> {
  const current = await deps.subscriptions.get(subscriptionId);
  if (current === undefined) throw new NotFoundError('Subscription', subscriptionId);
  const at = deps.clock.now().toISOString();

  const historyEntriesScrubbed = await deps.personalData.scrubHistory(subscriptionId, historyEntryWithoutPersonalData);
  await deps.history.append({
    subscriptionId,
    at: current.value.personalDataErasedAt ?? at,
    kind: 'PersonalDataErased',
    detail: reason === 'request' ? 'personal data erased on request' : 'personal data erased: the retention period after the subscription ended has passed',
    idempotencyKey: historyKey(subscriptionId, 'PersonalDataErased'),
  });
  let fieldsErased: string[] = [];
  const saved = await deps.subscriptions.updateWithRetry(subscriptionId, (record) => {
    fieldsErased = personalFieldsOf(record);
    if (fieldsErased.length === 0 && record.personalDataErasedAt !== undefined) return undefined;
    return { ...withoutPersonalData(record, at), updatedAt: at };
  });
  const report: ErasureReport = { subscriptionId, erasedAt: saved.value.personalDataErasedAt ?? at, fieldsErased, historyEntriesScrubbed };
  deps.logger.info('personal data erased', { ...report, reason });
  return report;
}
