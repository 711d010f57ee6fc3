import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { LOCK_CONTAINER, lockBlobName } from '../../dev/host/timerLock';
import { FIXTURE_DIR, pollFor, spawnHost, type HostProcess, type LogLine } from './support/hostProcess';

const LOCK_ARGS = ['--timer-lock-period', '00:00:15', '--timer-lock-polling', '00:00:01', '--host-id', 'ticker-app'];

/** The seconds (ISO, truncated) in which `host` ran the everySecond timer. */
function tickSeconds(host: HostProcess): string[] {
  return host
    .logs()
    .filter((line: LogLine) => line.message === 'function executed' && line.functionName === 'everySecond')
    .map((line) => (typeof line.time === 'string' ? line.time.slice(0, 19) : ''));
}

const took = (host: HostProcess): boolean => host.logs().some((line) => line.message === 'timer listener lock taken: this instance runs the timer');

describe('local host: timer singleton lock across instances (blob lease per timer, as the real host)', () => {
  let azurite: RunningAzurite;
  let first: HostProcess;
  let second: HostProcess;

  beforeAll(async () => {
    azurite = await startAzurite();
    const env = { AzureWebJobsStorage: azurite.connectionString };
    first = await spawnHost({ entries: [`${FIXTURE_DIR}/ticker/*.js`], env, args: [...LOCK_ARGS, '--instance-id', 'instance-a'] });
    second = await spawnHost({ entries: [`${FIXTURE_DIR}/ticker/*.js`], env, args: [...LOCK_ARGS, '--instance-id', 'instance-b'] });
  }, 60_000);

  afterAll(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGKILL');
    await azurite?.stop();
  });

  it('fires a timer on one instance only, once per schedule, and hands it over when that instance dies', async () => {
    // Prepare: both hosts run the same app on the same storage; one of them takes the lock.
    const holder = await pollFor(() => (took(first) ? first : took(second) ? second : undefined), 'one instance to take the lock');
    const other = holder === first ? second : first;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const beforeKill = [...tickSeconds(holder), ...tickSeconds(other)];

    // Act: the holder dies without releasing its lease.
    await holder.stop('SIGKILL');
    const killedAt = Date.now();
    await pollFor(() => (took(other) ? true : undefined), 'the other instance to take the lock over', 25_000);
    const takeOverMs = Date.now() - killedAt;
    await pollFor(() => (tickSeconds(other).length >= 2 ? true : undefined), 'ticks on the other instance', 10_000);

    // Assess
    expect(tickSeconds(other).filter((second) => beforeKill.includes(second))).toEqual([]);
    expect(beforeKill.length).toBeGreaterThanOrEqual(3);
    expect(new Set(beforeKill).size).toBe(beforeKill.length);
    expect(tickSeconds(other).length).toBeGreaterThanOrEqual(2);
    // The dead holder's lease runs out (15 s) before the other instance takes over; never earlier.
    expect(takeOverMs).toBeGreaterThan(5_000);
    const lease = await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(LOCK_CONTAINER)
      .getBlobClient(lockBlobName('ticker-app', 'everySecond'))
      .getProperties();
    expect(lease.leaseState).toBe('leased');
  }, 60_000);
});
