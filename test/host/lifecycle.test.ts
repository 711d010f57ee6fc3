import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { FIXTURE_DIR, pollFor, spawnHost, type HostProcess } from './support/hostProcess';
import { testQueues, type TestQueues } from './support/queues';

interface TimerArgument {
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string } | null;
  isPastDue: boolean;
}

describe('local host: scheduled timers, stale messages and shutdown', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let queues: TestQueues;
  const staleMessage = JSON.stringify({ id: 'stale', failTimes: 0 });

  beforeAll(async () => {
    azurite = await startAzurite();
    queues = testQueues(azurite.connectionString);
    // A message already dequeued maxDequeueCount (5) times before the host starts.
    await queues.send('work-items', staleMessage);
    const workItems = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('work-items');
    for (let i = 0; i < 5; i += 1) {
      const [received] = (await workItems.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 })).receivedMessageItems;
      if (received) await workItems.updateMessage(received.messageId, received.popReceipt, undefined, 0);
    }
    host = await spawnHost({
      entries: [`${FIXTURE_DIR}/*.js`, `${FIXTURE_DIR}/ticker/*.js`],
      env: { AzureWebJobsStorage: azurite.connectionString },
      args: ['--max-polling-interval', '00:00:00.300'],
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await azurite?.stop();
  });

  it('poisons a message whose dequeueCount is already above maxDequeueCount without running the function', async () => {
    // Prepare (beforeAll dequeued the message five times)

    // Act
    const poisoned = await pollFor(async () => (await queues.peek('work-items-poison')).find((text) => text === staleMessage), 'the stale message');

    // Assess
    expect(poisoned).toBe(staleMessage);
    // The host logs the move right after the message lands in the poison queue.
    const logged = await pollFor(() => host.logs().find((line) => line.message === 'message moved to poison queue'), 'the poison log line', 5_000);
    expect(logged).toMatchObject({ dequeueCount: 6 });
    expect(host.logs().filter((line) => typeof line.text === 'string' && line.text.includes('"stale"'))).toEqual([]);
  });

  it('fires a timer on its NCRONTAB schedule and passes the previous run as the schedule status', async () => {
    // Prepare (everySecond: "*/1 * * * * *")

    // Act
    const ticks = await pollFor(async () => {
      const all = await queues.peek('ticks');
      return all.length >= 2 ? all.map((text) => JSON.parse(text) as TimerArgument) : undefined;
    }, 'two ticks');

    // Assess
    const [first, second] = ticks;
    expect(first).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
    const status = second?.scheduleStatus;
    expect(status).toEqual({ last: expect.any(String), next: expect.any(String), lastUpdated: expect.any(String) });
    expect(new Date(status?.last ?? '').getUTCMilliseconds()).toBe(0);
    const gap = Date.parse(status?.next ?? '') - Date.parse(status?.last ?? '');
    expect(gap).toBeGreaterThan(0);
    expect(gap % 1000).toBe(0);
  });

  it('on SIGTERM lets the in-flight invocation finish, ends the queue loops, runs appTerminate hooks and exits 0', async () => {
    // Prepare
    await queues.send('slow-jobs', JSON.stringify({ id: 'slow-1', ms: 1500 }));
    await pollFor(() => (host.logs().some((line) => line.text === 'slow job started slow-1') ? true : undefined), 'the slow job to start');

    // Act
    const exitCode = await host.stop('SIGTERM');

    // Assess
    expect(exitCode).toBe(0);
    expect(await queues.peek('slow-done')).toEqual([JSON.stringify({ id: 'slow-1' })]);
    expect(await queues.count('slow-jobs')).toBe(0);
    expect(host.lines).toContain('fixture appTerminate hook ran');
    const stopped = host.lines.findIndex((line) => line.includes('"message":"host stopped"'));
    const finished = host.lines.findIndex((line) => line.includes('"message":"function executed"') && line.includes('"slowWorker"'));
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeGreaterThan(finished);
    // stop() awaits every queue loop (bounded); the warning would mean it gave up waiting.
    expect(host.logs().filter((line) => line.message === 'stopped without waiting for every in-flight invocation')).toEqual([]);
  });
});
