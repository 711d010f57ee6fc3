import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { FIXTURE_DIR, pollFor, spawnHost, type HostProcess } from './support/hostProcess';
import { testQueues, type TestQueues } from './support/queues';

const MASTER_KEY = 'master-key-queues';

describe('local host: queue and timer triggers against Azurite', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let queues: TestQueues;

  beforeAll(async () => {
    azurite = await startAzurite();
    queues = testQueues(azurite.connectionString);
    host = await spawnHost({
      entries: [`${FIXTURE_DIR}/*.js`],
      env: { AzureWebJobsStorage: azurite.connectionString, FUNCTIONS_MASTER_KEY: MASTER_KEY },
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  /** dequeueCount of every attempt the flaky worker logged for message `id`. */
  const attemptsOf = (id: string): number[] =>
    host
      .logs()
      .filter((line) => line.message === 'function log' && typeof line.text === 'string' && line.text.startsWith('attempt '))
      .map((line) => JSON.parse((line.text as string).slice('attempt '.length)) as { id: string; dequeueCount: number })
      .filter((attempt) => attempt.id === id)
      .map((attempt) => attempt.dequeueCount);

  const findMessage = async (queueName: string, predicate: (text: string) => boolean): Promise<string | undefined> =>
    (await queues.peek(queueName)).find(predicate);

  const adminPost = (name: string, body: unknown): Promise<Response> =>
    fetch(`${host.url}/admin/functions/${name}`, {
      method: 'POST',
      headers: { 'x-functions-key': MASTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('retries a failing message with a growing dequeueCount and deletes it once the handler succeeds', async () => {
    // Prepare
    const message = JSON.stringify({ id: 'late', failTimes: 2 });

    // Act
    await queues.send('work-items', message);
    await pollFor(() => (attemptsOf('late').length >= 3 ? true : undefined), 'three attempts');
    await pollFor(async () => ((await queues.count('work-items')) === 0 ? true : undefined), 'work-items to be empty');

    // Assess
    expect(attemptsOf('late')).toEqual([1, 2, 3]);
    expect(await findMessage('work-items-poison', (text) => text.includes('"late"'))).toBeUndefined();
  });

  it('moves a message that keeps failing to <queue>-poison after maxDequeueCount attempts', async () => {
    // Prepare
    const message = JSON.stringify({ id: 'doomed', failTimes: 99 });

    // Act
    await queues.send('work-items', message);
    const poisoned = await pollFor(() => findMessage('work-items-poison', (text) => text === message), 'the poison message');

    // Assess
    expect(poisoned).toBe(message);
    expect(attemptsOf('doomed')).toEqual([1, 2, 3, 4, 5]);
    expect(await findMessage('work-items', (text) => text === message)).toBeUndefined();
  });

  it('sends a message that is not valid base64 straight to the poison queue without running the function', async () => {
    // Prepare
    const raw = 'not base64 {"id":"raw"}!';

    // Act
    const messageId = await queues.sendRaw('work-items', raw);
    await pollFor(async () => ((await queues.peekRaw('work-items-poison')).includes(raw) ? true : undefined), 'the raw poison message');

    // Assess: the host logs the move just after the poison message is written
    const moved = await pollFor(
      () => host.logs().find((line) => line.message === 'message moved to poison queue' && line.messageId === messageId),
      'the poison log line',
    );
    expect(moved).toEqual(expect.objectContaining({ dequeueCount: 1 }));
    const logs = host.logs();
    expect(logs.filter((line) => line.messageId === messageId && line.message === 'function executed')).toEqual([]);
  });

  it('deletes a processed message and writes its output binding base64-encoded with the trigger metadata', async () => {
    // Prepare
    const message = JSON.stringify({ hello: 'world' });

    // Act
    const messageId = await queues.send('echo-in', message);
    const raw = await pollFor(
      async () => (await queues.peekRaw('echo-out')).find((text) => Buffer.from(text, 'base64').toString('utf8').includes(messageId)),
      'the echo output',
    );
    await pollFor(async () => ((await queues.count('echo-in')) === 0 ? true : undefined), 'echo-in to be empty');

    // Assess
    expect(Buffer.from(raw, 'base64').toString('base64')).toBe(raw);
    const echoed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { message: unknown; metadata: Record<string, unknown> };
    expect(echoed.message).toEqual({ hello: 'world' });
    expect(echoed.metadata).toEqual({
      dequeueCount: 1,
      id: messageId,
      popReceipt: expect.any(String),
      // The library JSON-parses string metadata, as it does for the host's QueueTrigger value.
      queueTrigger: { hello: 'world' },
      insertionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      expirationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      nextVisibleTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });

  it('writes one output message per element when the output binding is set to an array', async () => {
    // Prepare
    const message = JSON.stringify({ fanOut: ['fan-out-text', { fanOutObject: 1 }] });

    // Act
    await queues.send('echo-in', message);
    const texts = await pollFor(async () => {
      const all = await queues.peek('echo-out');
      return all.includes('fan-out-text') && all.includes('{"fanOutObject":1}') ? all : undefined;
    }, 'both fan-out messages');

    // Assess
    expect(texts).toEqual(expect.arrayContaining(['fan-out-text', '{"fanOutObject":1}']));
  });

  it('runs a queue function on demand through POST /admin/functions/{name}', async () => {
    // Prepare
    const body = { input: JSON.stringify({ via: 'admin' }) };

    // Act
    const response = await adminPost('echoWorker', body);
    const echoed = await pollFor(() => findMessage('echo-out', (text) => text.includes('"via":"admin"')), 'the admin echo');

    // Assess
    expect(response.status).toBe(202);
    expect(JSON.parse(echoed)).toMatchObject({ message: { via: 'admin' }, metadata: { dequeueCount: 0, queueTrigger: { via: 'admin' } } });
  });

  it('runs a timer function on demand with no schedule status', async () => {
    // Prepare (nightlyTimer fires at 03:00 UTC only)

    // Act
    const response = await adminPost('nightlyTimer', { input: '' });
    const run = await pollFor(() => findMessage('timer-runs', (text) => text.includes('nightlyTimer')), 'the timer run');

    // Assess
    expect(response.status).toBe(202);
    expect(JSON.parse(run)).toEqual({
      functionName: 'nightlyTimer',
      timer: { schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false },
    });
  });

  it.each([
    ['an unknown function', 'noSuchFunction', { input: '' }, 404],
    ['an HTTP function', 'getItem', { input: '' }, 400],
    ['a non-string input', 'echoWorker', { input: { not: 'text' } }, 400],
  ])('refuses to run %s through the admin API', async (_case, name, body, status) => {
    // Prepare (see the table)

    // Act
    const response = await adminPost(name, body);

    // Assess
    expect(response.status).toBe(status);
  });

  it('runs a runOnStartup timer once when the host starts', async () => {
    // Prepare (startupTimer has runOnStartup: true and a yearly schedule)

    // Act
    const run = await pollFor(() => findMessage('startup-runs', (text) => text.includes('startupTimer')), 'the startup run');

    // Assess
    expect(JSON.parse(run)).toMatchObject({ functionName: 'startupTimer', timer: { scheduleStatus: null, isPastDue: false } });
    expect(await queues.peek('startup-runs')).toHaveLength(1);
  });
});
