import { fixedClock } from '../../../shared/clock';
import { createLogger, type LogFields } from '../../../shared/logging';
import { MarketplaceApiError } from '../../../shared/marketplace';
import { ServiceError } from '../../../shared/errors';
import {
  checkReadiness,
  isvEndpointCheck,
  lastRunCheck,
  marketplaceApiCheck,
  poisonQueuesCheck,
  signingKeysCheck,
  tablesCheck,
  type Fetch,
  type ReadinessCheck,
  type StorageProbe,
} from '../../../shared/readiness';
import { InMemoryJobRunStore } from '../../fakes/inMemoryJobRunStore';

const NOW = '2026-03-02T12:00:00.000Z';

function logs() {
  const warnings: Array<{ message: string; fields: LogFields }> = [];
  return { warnings, logger: createLogger((level, message, fields) => (level === 'warn' ? warnings.push({ message, fields }) : undefined)) };
}

const fixed = (name: string, status: 'pass' | 'warn' | 'fail' | 'skip', reason = `${name} ${status}`): ReadinessCheck => ({ name, run: () => Promise.resolve({ status, reason }) });

describe('checkReadiness', () => {
  it('is ready when nothing fails (warn and skip do not make it unready)', async () => {
    // Prepare
    const { logger, warnings } = logs();

    // Act
    const report = await checkReadiness({ checks: [fixed('a', 'pass'), fixed('b', 'warn'), fixed('c', 'skip')], clock: fixedClock(NOW), logger });

    // Assess
    expect(report).toMatchObject({ status: 'ready', checkedAt: NOW, failing: [] });
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['a', 'pass'],
      ['b', 'warn'],
      ['c', 'skip'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('is unready naming each failing check, and logs one structured warning per failing check', async () => {
    // Prepare
    const { logger, warnings } = logs();

    // Act
    const report = await checkReadiness({ checks: [fixed('tables', 'fail', 'Table Storage down'), fixed('b', 'pass'), fixed('webhookSigningKeys', 'fail', 'no keys')], clock: fixedClock(NOW), logger });

    // Assess
    expect(report.status).toBe('unready');
    expect(report.failing).toEqual(['tables', 'webhookSigningKeys']);
    expect(warnings.map((w) => [w.message, w.fields.check, w.fields.reason])).toEqual([
      ['readiness check failed', 'tables', 'Table Storage down'],
      ['readiness check failed', 'webhookSigningKeys', 'no keys'],
    ]);
  });

  it('runs the checks in parallel and fails one that outlives its timeout, aborting it', async () => {
    // Prepare
    let aborted = false;
    const hung: ReadinessCheck = {
      name: 'hung',
      run: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
    };
    const slow: ReadinessCheck = { name: 'slow', run: () => new Promise((resolve) => setTimeout(() => resolve({ status: 'pass', reason: 'late but in time' }), 150)) };
    const started = Date.now();

    // Act
    const report = await checkReadiness({ checks: [hung, slow, { ...slow, name: 'slow2' }], clock: fixedClock(NOW), logger: logs().logger, timeoutMs: 300 });

    // Assess
    expect(Date.now() - started).toBeLessThan(1_500); // 300 ms + the two 150 ms checks side by side, not one after another
    expect(report.checks.find((c) => c.name === 'hung')).toMatchObject({ status: 'fail', reason: 'did not answer within 300 ms' });
    expect(report.checks.find((c) => c.name === 'slow')?.status).toBe('pass');
    expect(aborted).toBe(true);
  });

  it('fails a check that throws with its message, and never lets a secret into a reason', async () => {
    // Prepare
    const thrower: ReadinessCheck = { name: 'x', run: () => Promise.reject(new Error('AccountKey=c2VjcmV0 refused for buyer@contoso.com')) };

    // Act
    const report = await checkReadiness({ checks: [thrower], clock: fixedClock(NOW), logger: logs().logger });

    // Assess
    const reason = report.checks[0]?.reason ?? '';
    expect(report.failing).toEqual(['x']);
    expect(reason).toContain('refused');
    expect(reason).not.toContain('c2VjcmV0');
    expect(reason).not.toContain('buyer@contoso.com');
  });
});

const signal = new AbortController().signal;

describe('readiness checks', () => {
  it('poisonQueues warns with the depth of each poison queue that holds messages and says how to replay', async () => {
    // Prepare
    const probe: StorageProbe = {
      tableUrl: 'http://127.0.0.1:1/devstoreaccount1',
      queueUrl: 'http://127.0.0.1:2/devstoreaccount1',
      readTable: () => Promise.resolve(),
      queueDepths: (queues) => Promise.resolve(Object.fromEntries(queues.map((q) => [q, q === 'operations-poison' ? 3 : 0]))),
    };

    // Act
    const outcome = await poisonQueuesCheck(probe, ['activations-poison', 'operations-poison'], { access: 'connectionString' }).run(signal);

    // Assess
    expect(outcome).toMatchObject({ status: 'warn', details: { depths: { 'activations-poison': 0, 'operations-poison': 3 } } });
    expect(outcome.reason).toContain('operations-poison: 3');
    expect(outcome.reason).toContain('/replay');
  });

  it.each([
    ['connectionString' as const, 'check AzureWebJobsStorage (is the storage account or Azurite running there?)'],
    ['identity' as const, "check AzureWebJobsStorage__tableServiceUri (or AzureWebJobsStorage__accountName) and that the app's identity has the Storage Table Data Contributor role"],
  ])('tables names the endpoint and the %s settings to fix, never the account key', async (access, fix) => {
    // Prepare
    const probe: StorageProbe = {
      tableUrl: 'https://contoso.table.core.windows.net/?sv=2024&sig=c2VjcmV0',
      queueUrl: 'https://contoso.queue.core.windows.net',
      readTable: () => Promise.reject(Object.assign(new Error('This request is not authorized to perform this operation.'), { name: 'RestError', statusCode: 403 })),
      queueDepths: () => Promise.resolve({}),
    };

    // Act
    const outcome = await tablesCheck(probe, { access }).run(signal);

    // Assess
    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe(`Table Storage at https://contoso.table.core.windows.net could not be read: This request is not authorized to perform this operation.; ${fix}`);
  });

  it.each([
    [404, 'pass', 'answers (HTTP 404'],
    [401, 'fail', 'refused our token (HTTP 401)'],
    [403, 'fail', 'Partner Center'],
    [503, 'fail', 'check MARKETPLACE_API_BASE_URL'],
  ] as const)('marketplaceApi: HTTP %i from the probe gives %s', async (status, expected, says) => {
    // Prepare
    const marketplace = { getSubscription: () => Promise.reject(new MarketplaceApiError({ kind: 'http', operation: 'getSubscription', status })) };

    // Act
    const outcome = await marketplaceApiCheck(marketplace, 'https://marketplaceapi.microsoft.com/api').run(signal);

    // Assess
    expect(outcome.status).toBe(expected);
    expect(outcome.reason).toContain(says);
  });

  it('marketplaceApi points at the token check when no token could be had', async () => {
    // Prepare
    const marketplace = { getSubscription: () => Promise.reject(new ServiceError('MarketplaceTokenUnavailable', 'Could not get an access token')) };

    // Act
    const outcome = await marketplaceApiCheck(marketplace, 'https://x').run(signal);

    // Assess
    expect(outcome).toEqual({ status: 'fail', reason: 'the Marketplace API was not called: no token (see marketplaceToken)' });
  });

  it.each([
    ['a non-200 answer', () => Promise.resolve({ status: 404, json: () => Promise.resolve({}) }), 'answered HTTP 404'],
    ['an empty key set', () => Promise.resolve({ status: 200, json: () => Promise.resolve({ keys: [] }) }), 'not a key set with keys'],
    ['no answer', () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })), 'ECONNREFUSED'],
  ])('webhookSigningKeys fails on %s and names WEBHOOK_JWKS_URL', async (_name, fetch, says) => {
    // Act
    const outcome = await signingKeysCheck(fetch, 'http://127.0.0.1:9/keys').run(signal);

    // Assess
    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toContain(says);
    expect(outcome.reason).toContain('WEBHOOK_JWKS_URL');
  });

  it('an ISV endpoint is skipped when not configured, passes on any HTTP answer, and shows its origin only', async () => {
    // Prepare
    const answering: Fetch = () => Promise.resolve({ status: 405, json: () => Promise.resolve(undefined) });
    const refusing: Fetch = () => Promise.reject(new TypeError('fetch failed'));
    const url = 'https://isv.example.com/hooks/marketplace?code=private-key-123';

    // Act
    const skipped = await isvEndpointCheck(answering, 'isvWebhook', 'ISV_WEBHOOK_URL', undefined).run(signal);
    const passed = await isvEndpointCheck(answering, 'isvWebhook', 'ISV_WEBHOOK_URL', url).run(signal);
    const failed = await isvEndpointCheck(refusing, 'isvWebhook', 'ISV_WEBHOOK_URL', url).run(signal);

    // Assess
    expect(skipped.status).toBe('skip');
    expect(passed).toEqual({ status: 'pass', reason: 'ISV_WEBHOOK_URL (https://isv.example.com) answers (HTTP 405)' });
    expect(failed.status).toBe('fail');
    expect(JSON.stringify([passed, failed])).not.toContain('private-key-123');
  });
});

describe('lastRunCheck', () => {
  const options = { job: 'reconciliation' as const, name: 'reconciliationRun', maxAgeMs: 3 * 3_600_000, maxRunningMs: 30 * 60_000, howToRun: 'POST /api/reconcile runs it now' };

  async function outcomeAfter(run: Parameters<InMemoryJobRunStore['save']>[0] | undefined, timer: 'on' | 'off' = 'on') {
    const runs = new InMemoryJobRunStore();
    if (run !== undefined) await runs.save(run);
    return lastRunCheck(runs, fixedClock(NOW), { ...options, maxAgeMs: timer === 'on' ? options.maxAgeMs : undefined }).run(signal);
  }

  const finished = (outcome: 'succeeded' | 'partial' | 'failed', endedAgoMs: number) => ({
    job: 'reconciliation' as const,
    runId: 'r-1',
    startedAt: new Date(Date.parse(NOW) - endedAgoMs - 60_000).toISOString(),
    finishedAt: new Date(Date.parse(NOW) - endedAgoMs).toISOString(),
    outcome,
    counts: { seen: 2 },
    ...(outcome === 'failed' ? { error: 'DependencyUnavailableError: Microsoft could not list the subscriptions' } : {}),
  });

  it.each([
    ['a recent success', finished('succeeded', 20 * 60_000), 'pass', 'succeeded 20 min ago'],
    ['a recent partial run', finished('partial', 20 * 60_000), 'warn', 'finished with failures'],
    ['a failed run', finished('failed', 20 * 60_000), 'fail', 'Microsoft could not list the subscriptions'],
    ['a success older than the maximum age', finished('succeeded', 4 * 3_600_000), 'fail', 'is the timer running'],
    ['a run stuck in running', { job: 'reconciliation' as const, runId: 'r-2', startedAt: '2026-03-02T10:00:00.000Z', outcome: 'running' as const, counts: {} }, 'warn', 'never finished'],
    ['no run at all', undefined, 'warn', 'no reconciliation run recorded yet; POST /api/reconcile runs it now'],
  ])('%s', async (_name, run, status, says) => {
    // Act
    const outcome = await outcomeAfter(run);

    // Assess
    expect(outcome.status).toBe(status);
    expect(outcome.reason).toContain(says);
  });

  it('does not look at the age when the timer is off, and skips a job that never ran', async () => {
    // Act
    const old = await outcomeAfter(finished('succeeded', 48 * 3_600_000), 'off');
    const never = await outcomeAfter(undefined, 'off');

    // Assess
    expect(old.status).toBe('pass');
    expect(never.status).toBe('skip');
  });
});
