import { z } from 'zod';
import type { Logger } from '../logging';
import type { SubscriptionStore } from '../storage';
import type { PersonalDataStore } from '../storage/personalDataStore';
import type { SubscriptionRecord, Versioned } from '../subscription/model';
import { SUBSCRIPTION_ID_PATTERN } from '../admin/adminQueries';

/** At most this many ids in one request (the body stays under the admin body limit). */
export const MAX_REMOVE_IDS = 50;

/** Body of `POST /api/test-subscriptions/remove`: the ids to remove (default: every ended test subscription), and whether to only report. */
export const removeTestSubscriptionsBodySchema = z
  .object({
    subscriptionIds: z
      .array(z.string().regex(SUBSCRIPTION_ID_PATTERN, 'must be a subscription id (GUID)'))
      .min(1, 'must list at least one id (leave it out to remove every ended test subscription)')
      .max(MAX_REMOVE_IDS, `must list at most ${MAX_REMOVE_IDS} ids`)
      .optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

export type RemoveTestSubscriptionsInput = z.output<typeof removeTestSubscriptionsBodySchema>;

export interface RemoveTestSubscriptionsDeps {
  subscriptions: Pick<SubscriptionStore, 'get' | 'list'>;
  personalData: Pick<PersonalDataStore, 'removeSubscription'>;
  logger: Logger;
}

export interface RemovedSubscription {
  subscriptionId: string;
  historyRows: number;
  operations: number;
}

export interface RemovalReport {
  dryRun: boolean;
  /** Removed (or, in a dry run, that would be removed). */
  removed: RemovedSubscription[];
  skipped: Array<{ subscriptionId: string; reason: string }>;
}

/**
 * Removes test subscriptions (`isTest`, set by Microsoft for test purchases) with their history and
 * operations. Only ended ones (Unsubscribed): a live one is skipped with the advice to cancel it
 * first, since Microsoft would keep sending its events. Usage records stay (billing data).
 * Idempotent: a subscription already removed is reported as skipped ("not found").
 */
export async function removeTestSubscriptions(deps: RemoveTestSubscriptionsDeps, input: RemoveTestSubscriptionsInput): Promise<RemovalReport> {
  const dryRun = input.dryRun ?? false;
  const report: RemovalReport = { dryRun, removed: [], skipped: [] };
  const consider = async (id: string, found: Versioned<SubscriptionRecord> | undefined): Promise<void> => {
    const reason = skipReason(found);
    if (reason !== undefined || found === undefined) {
      report.skipped.push({ subscriptionId: id, reason: reason ?? 'not found' });
      return;
    }
    const rows = dryRun ? { historyRows: 0, operations: 0 } : await deps.personalData.removeSubscription(id, found.etag);
    report.removed.push({ subscriptionId: id, ...rows });
  };

  if (input.subscriptionIds !== undefined) {
    for (const id of new Set(input.subscriptionIds)) await consider(id, await deps.subscriptions.get(id));
  } else {
    let continuationToken: string | undefined;
    const candidates: Array<Versioned<SubscriptionRecord>> = [];
    do {
      const page = await deps.subscriptions.list({ isTest: true, status: 'Unsubscribed', pageSize: 200, continuationToken });
      candidates.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    // Collected first, so that deleting never disturbs the paging.
    for (const candidate of candidates) await consider(candidate.value.id, candidate);
  }
  deps.logger.info(dryRun ? 'test subscription removal (dry run)' : 'test subscriptions removed', { removed: report.removed.length, skipped: report.skipped.length });
  return report;
}

function skipReason(found: Versioned<SubscriptionRecord> | undefined): string | undefined {
  if (found === undefined) return 'not found';
  if (!found.value.isTest) return 'not a test subscription';
  if (found.value.status !== 'Unsubscribed') return `still ${found.value.status}: cancel it first (POST /api/subscriptions/{id}/cancel)`;
  return undefined;
}
