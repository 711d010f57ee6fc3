import { app, type HttpResponseInit } from '@azure/functions';
import { getConfig } from '../shared/config';
import { checkHealth } from '../shared/health';

/** GET /api/health: 200 when the app can serve, 503 (with the names of bad settings) when not. */
export function health(): Promise<HttpResponseInit> {
  const report = checkHealth(getConfig);
  return Promise.resolve({
    status: report.status === 'ok' ? 200 : 503,
    jsonBody: report,
    headers: { 'Cache-Control': 'no-store' },
  });
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: health });
