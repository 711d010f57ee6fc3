import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getDependencies, type AppDependencies } from '../shared/dependencies';
import { randomUUID } from 'node:crypto';
import type { Config } from '../shared/config';
import { emitUsage, type EmissionReport, type EmitUsageDeps } from '../shared/metering';

/** NCRONTAB, UTC: minute 10 of every hour (an hour is emitted once METERING_SETTLE_MINUTES have passed). */
export const EMIT_USAGE_SCHEDULE = '0 10 * * * *';

/**
 * Sends every closed hour not yet emitted to the metering API (also on demand:
 * `POST /admin/functions/emitUsage`). Throws when storage fails; a failed call to Microsoft only
 * leaves its hours for the next run.
 */
type EmitUsageAppDeps = Pick<EmitUsageDeps, 'usage' | 'marketplace' | 'clock'> & { runs: NonNullable<EmitUsageDeps['runs']> } & Pick<AppDependencies, 'logger'> & { config: Pick<Config, 'metering'> };

export function createEmitUsageHandler(getDeps: (context: InvocationContext) => EmitUsageAppDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<EmissionReport> => {
    const deps = getDeps(context);
    const { settleMs, claimTimeoutMs } = deps.config.metering;
    const { usage, marketplace, clock, runs } = deps;
    return emitUsage({ usage, marketplace, clock, runs, newId: randomUUID, settleMs, claimTimeoutMs, logger: deps.logger(context) });
  };
}

app.timer('emitUsage', { schedule: EMIT_USAGE_SCHEDULE, runOnStartup: false, handler: createEmitUsageHandler(getDependencies) });
