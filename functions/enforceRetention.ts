import { app, type InvocationContext, type Timer } from '@azure/functions';
import { retentionSchedule } from '../shared/config';
import { enforceRetention as enforce, getRetentionDependencies, type RetentionDependencies, type RetentionReport } from '../shared/retention';

/**
 * Timer (RETENTION_SCHEDULE, default daily 03:40 UTC): erases the personal data of subscriptions
 * that ended more than RETENTION_PERSONAL_DATA_DAYS ago (0: the run does nothing). Also on demand:
 * `POST /admin/functions/enforceRetention`.
 */
export function createEnforceRetentionHandler(getDeps: () => RetentionDependencies) {
  return async function enforceRetention(_timer: Timer, context: InvocationContext): Promise<RetentionReport> {
    const deps = getDeps();
    const logger = deps.logger(context);
    return enforce({ ...deps, logger, personalDataDays: deps.settings.personalDataDays });
  };
}

app.timer('enforceRetention', { schedule: retentionSchedule(), runOnStartup: false, handler: createEnforceRetentionHandler(getRetentionDependencies) });
