import { randomUUID } from 'node:crypto';
import { recordRun, type JobRunStore } from '../runs';
import type { SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';
import { personalFieldsOf } from '../subscription/personalData';
import { RETENTION_DAYS } from '../subscription/stateMachine';
import { erasePersonalData, type ErasePersonalDataDeps } from './erasePersonalData';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface EnforceRetentionDeps extends ErasePersonalDataDeps {
  subscriptions: Pick<SubscriptionStore, 'get' | 'updateWithRetry' | 'list'>;
  /** Days after the end of a subscription before its personal data is erased (0: never). */
  personalDataDays: number;
  /** Where the run is recorded as the `retention` job's last run (absent: not recorded). */
  runs?: JobRunStore;
}

export interface RetentionReport {
  /** Ended (Unsubscribed) subscriptions looked at. */
  examined: number;
  erased: number;
  /** Ended, but the period has not passed yet. */
  notYetDue: number;
  /** Erasures that failed (logged; the next run tries again). */
  failed: number;
}

/**
 * When a subscription ended: `retainUntil` is set RETENTION_DAYS after the Unsubscribe; a record
 * that reached Unsubscribed without it (imported already ended) counts from its last change.
 */
export function endedAt(record: SubscriptionRecord): number {
  return record.retainUntil !== undefined ? Date.parse(record.retainUntil) - RETENTION_DAYS * DAY_MS : Date.parse(record.updatedAt);
}

/** Whether the personal data of `record` is due for erasure at `now`. */
export function isErasureDue(record: SubscriptionRecord, now: Date, personalDataDays: number): boolean {
  if (personalDataDays <= 0 || record.status !== 'Unsubscribed') return false;
  const due = Math.max(endedAt(record) + personalDataDays * DAY_MS, record.retainUntil === undefined ? 0 : Date.parse(record.retainUntil));
  return now.getTime() >= due;
}

/**
 * The retention run: pages through the ended subscriptions and erases the personal data of those
 * whose period has passed. Already erased ones are skipped; one failure does not stop the run.
 * Safe when two instances run at once (erasePersonalData is idempotent and ETag-conditional).
 */
export async function enforceRetention(deps: EnforceRetentionDeps): Promise<RetentionReport> {
  const startedAt = deps.clock.now().toISOString();
  const runId = `retention-${startedAt.replace(/[^0-9]/g, '')}-${randomUUID()}`;
  const summarize = (report: RetentionReport) => ({ outcome: report.failed > 0 ? ('partial' as const) : ('succeeded' as const), counts: { ...report } });
  return recordRun({ runs: deps.runs, job: 'retention', runId, startedAt, clock: deps.clock, logger: deps.logger, summarize }, () => run(deps));
}

async function run(deps: EnforceRetentionDeps): Promise<RetentionReport> {
  const report: RetentionReport = { examined: 0, erased: 0, notYetDue: 0, failed: 0 };
  if (deps.personalDataDays <= 0) return report;
  const now = deps.clock.now();
  let continuationToken: string | undefined;
  do {
    const page = await deps.subscriptions.list({ status: 'Unsubscribed', pageSize: 200, continuationToken });
    for (const { value: record } of page.items) {
      report.examined += 1;
      if (record.personalDataErasedAt !== undefined && personalFieldsOf(record).length === 0) continue;
      if (!isErasureDue(record, now, deps.personalDataDays)) {
        report.notYetDue += 1;
        continue;
      }
      try {
        await erasePersonalData(deps, record.id, 'retention');
        report.erased += 1;
      } catch (error) {
        report.failed += 1;
        deps.logger.error('personal data erasure failed', { subscriptionId: record.id, error });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  deps.logger.info('retention run finished', { ...report });
  return report;
}
