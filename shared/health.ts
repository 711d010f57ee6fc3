import type { Config } from './config';
import { ConfigurationError } from './errors';

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  checks: { configuration: 'ok' | 'invalid' };
  /** Names of the settings that are missing or invalid (never their values). */
  invalidSettings?: string[];
}

/**
 * Liveness plus the one readiness fact that needs no I/O: whether the settings parse. Which keys
 * are wrong is reported by name only; values never leave the process.
 */
export function checkHealth(loadConfig: () => Readonly<Config>): HealthReport {
  try {
    loadConfig();
    return { status: 'ok', checks: { configuration: 'ok' } };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const invalidSettings = [...new Set(error.issues.map((issue) => issue.split(' ')[0] ?? issue))];
    return { status: 'unhealthy', checks: { configuration: 'invalid' }, invalidSettings };
  }
}
