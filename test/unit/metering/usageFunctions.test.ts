import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { createEmitUsageHandler } from '../../../functions/emitUsage';
import { createUsageIngestHandler } from '../../../functions/usageIngest';
import { createUsageReportHandler } from '../../../functions/usageReport';
import { DependencyUnavailableError } from '../../../shared/errors';
import { silentLogger } from '../../../shared/logging';
import { InMemoryJobRunStore } from '../../fakes/inMemoryJobRunStore';
import { SUBSCRIPTION_ID } from './support/builders';
import { CLAIM_TIMEOUT_MS, meteringRig, SETTLE_MS, WINDOW_MARGIN_MS, wire } from './support/rig';

const context = (): InvocationContext => new InvocationContext({ invocationId: 'inv-1', functionName: 'usage', logHandler: () => undefined });

async function functionsRig(now = '2025-03-10T10:30:00.000Z') {
  const rig = await meteringRig({ now });
  const deps = {
    ...rig,
    marketplace: { listAvailablePlans: () => Promise.resolve([{ planId: 'starter', planComponents: { meteringDimensions: [{ id: 'api-calls' }] } }]), postBatchUsageEvents: rig.metering.postBatchUsageEvents },
    runs: new InMemoryJobRunStore(),
    config: { metering: { windowMarginMs: WINDOW_MARGIN_MS, settleMs: SETTLE_MS, claimTimeoutMs: CLAIM_TIMEOUT_MS } },
    logger: () => silentLogger,
  };
  const call = async (handler: (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>, init: { method: string; query?: string; body?: string; headers?: Record<string, string> }) => {
    const request = new HttpRequest({
      method: init.method,
      url: `http://localhost/api/usage${init.query === undefined ? '' : `?${init.query}`}`,
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: { string: init.body } }),
    });
    const response = new HttpResponse(await handler(request, context()));
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
  };
  return { rig, deps, ingest: (body: unknown, headers?: Record<string, string>) => call(createUsageIngestHandler(() => deps), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers }), report: (query: string) => call(createUsageReportHandler(() => deps), { method: 'GET', query }) };
}

describe('POST /api/usage', () => {
  it.each([
    ['200 when every record is kept', [wire({ id: 'a' }), wire({ id: 'b' })], 200, { accepted: 2, rejected: 0 }],
    ['207 when some records are refused', [wire({ id: 'a' }), wire({ id: 'b', quantity: 0 })], 207, { accepted: 1, rejected: 1 }],
    ['400 when every record is refused', wire({ quantity: -1 }), 400, { accepted: 0, rejected: 1 }],
  ])('answers %s, with one result per record', async (_case, body, status, counts) => {
    // Prepare
    const { ingest } = await functionsRig();

    // Act
    const response = await ingest(body);

    // Assess
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject(counts);
    expect(response.body.results).toHaveLength(Array.isArray(body) ? body.length : 1);
  });

  it.each([
    ['not JSON', '{"subscriptionId":', 400, 'ValidationFailed'],
    ['an empty array', '[]', 400, 'ValidationFailed'],
    ['a bare number', '42', 400, 'ValidationFailed'],
    ['more than 1 MiB', JSON.stringify([wire({ dimension: 'x'.repeat(1_100_000) })]), 413, 'PayloadTooLarge'],
  ])('refuses a body that is %s as a whole', async (_case, body, status, code) => {
    // Prepare
    const { ingest } = await functionsRig();

    // Act
    const response = await ingest(body);

    // Assess
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code, invocationId: 'inv-1' } });
  });

  it('answers 503 with Retry-After when storage is unavailable', async () => {
    // Prepare
    const { rig, ingest } = await functionsRig();
    rig.usage.appendRecords = () => Promise.reject(new DependencyUnavailableError('table-storage', 'down'));

    // Act
    const response = await ingest([wire({ id: 'a' })]);

    // Assess
    expect(response.status).toBe(503);
    expect(response.retryAfter).toBe('30');
    expect(response.body).toMatchObject({ error: { code: 'DependencyUnavailable' } });
  });
});

describe('GET /api/usage', () => {
  it('lists the subscription’s hours', async () => {
    // Prepare
    const { ingest, report } = await functionsRig();
    await ingest([wire({ quantity: 2 })]);

    // Act
    const response = await report(`subscriptionId=${SUBSCRIPTION_ID}`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.hours).toEqual([expect.objectContaining({ hour: '2025-03-10T10:00:00.000Z', dimension: 'api-calls', status: 'Open', recordedQuantity: 2 })]);
  });

  it('answers 400 naming the missing subscriptionId', async () => {
    // Prepare
    const { report } = await functionsRig();

    // Act
    const response = await report('');

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { details: { issues: ['subscriptionId: required'] } } });
  });
});

describe('emitUsage timer', () => {
  it('emits the closed hours with the configured settle time and returns the run’s report', async () => {
    // Prepare
    const { rig, deps, ingest } = await functionsRig();
    await ingest([wire({ quantity: 2 })]);
    rig.clock.set('2025-03-10T11:05:00.000Z');

    // Act
    const report = await createEmitUsageHandler(() => deps)({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: undefined } as never, context());

    // Assess
    expect(report).toMatchObject({ throughHour: '2025-03-10T10:00:00.000Z', emitted: 1, marketplaceCalls: 1 });
    expect(await deps.runs.latest('usageEmission')).toEqual({
      job: 'usageEmission',
      runId: report.runId,
      startedAt: '2025-03-10T11:05:00.000Z',
      finishedAt: '2025-03-10T11:05:00.000Z',
      outcome: 'succeeded',
      counts: { claimed: 1, emitted: 1, duplicates: 0, rejected: 0, empty: 0, retryLater: 0, busy: 0 },
    });
  });
});
