import { createBackoff } from '../../dev/host/backoff';
import { parseHostSettings, parseTimeSpan, withQueueOverrides } from '../../dev/host/hostConfig';
import { createKeyChecker, keysFromSettings } from '../../dev/host/keys';
import { createLineBuffer } from '../../dev/host/lineBuffer';
import { decodeMessageText, poisonQueueName } from '../../dev/host/queueMessages';

describe('parseTimeSpan', () => {
  it.each([
    ['00:00:10', 10_000],
    ['00:00:00.250', 250],
    ['00:02', 120_000],
    ['1.02:00:00', 26 * 3_600_000],
  ])('reads %s as %i ms', (text, ms) => {
    // Prepare (see the table)

    // Act
    const parsed = parseTimeSpan(text);

    // Assess
    expect(parsed).toBe(ms);
  });

  it.each(['10', '00:60:00', 'soon'])('rejects %s', (text) => {
    // Prepare (see the table)

    // Act
    const act = (): number => parseTimeSpan(text);

    // Assess
    expect(act).toThrow(/TimeSpan/);
  });
});

describe('parseHostSettings', () => {
  it("reads the project's host.json queue and HTTP settings, case-insensitively", () => {
    // Prepare
    const json = {
      extensions: {
        http: { routePrefix: 'api' },
        Queues: { MessageEncoding: 'Base64', batchSize: 16, maxDequeueCount: 5, visibilityTimeout: '00:00:10', maxPollingInterval: '00:00:02' },
      },
    };

    // Act
    const settings = parseHostSettings(json);

    // Assess
    expect(settings).toEqual({
      routePrefix: 'api',
      queues: {
        messageEncoding: 'base64',
        batchSize: 16,
        newBatchThreshold: 8,
        maxDequeueCount: 5,
        visibilityTimeoutMs: 10_000,
        maxPollingIntervalMs: 2_000,
      },
    });
  });

  it('uses the host defaults when host.json says nothing, and lets options override them', () => {
    // Prepare
    const defaults = parseHostSettings({ version: '2.0' });

    // Act
    const overridden = withQueueOverrides(defaults.queues, { visibilityTimeoutMs: 0, batchSize: 4 });

    // Assess
    expect(defaults.queues).toMatchObject({ maxDequeueCount: 5, batchSize: 16, maxPollingIntervalMs: 60_000, visibilityTimeoutMs: 0 });
    expect(overridden).toMatchObject({ visibilityTimeoutMs: 0, batchSize: 4, newBatchThreshold: 2 });
  });

  it.each([
    [{ batchSize: 64 }, /batchsize/],
    [{ maxPollingInterval: '00:00:00.050' }, /maxpollinginterval/],
    [{ messageEncoding: 'utf8' }, /messageencoding/],
  ])('rejects invalid queue settings %j', (queues, message) => {
    // Prepare
    const json = { extensions: { queues } };

    // Act
    const act = (): unknown => parseHostSettings(json);

    // Assess
    expect(act).toThrow(message);
  });
});

describe('decodeMessageText', () => {
  it.each([
    ['eyJhIjoxfQ==', '{"a":1}'],
    ['eyJh\r\nIjoxfQ==', '{"a":1}'],
    ['', ''],
  ])('decodes the base64 body %j', (raw, text) => {
    // Prepare (see the table)

    // Act
    const decoded = decodeMessageText(raw, 'base64');

    // Assess
    expect(decoded).toBe(text);
  });

  it.each(['{"a":1}', 'eyJhIjoxfQ', 'eyJhIjoxfQ=-', 'not base64!'])('refuses %j, which .NET would not decode', (raw) => {
    // Prepare (see the table)

    // Act
    const decoded = decodeMessageText(raw, 'base64');

    // Assess
    expect(decoded).toBeUndefined();
  });

  it('passes the body through unchanged with messageEncoding none', () => {
    // Prepare
    const raw = '{"a":1}';

    // Act
    const decoded = decodeMessageText(raw, 'none');

    // Assess
    expect(decoded).toBe(raw);
  });
});

describe('poisonQueueName', () => {
  it.each([
    ['jobs', 'jobs-poison'],
    ['jobs-poison', undefined],
    ['q'.repeat(60), undefined],
  ])('for %s is %s', (queueName, expected) => {
    // Prepare (see the table)

    // Act
    const name = poisonQueueName(queueName);

    // Assess
    expect(name).toBe(expected);
  });
});

describe('createKeyChecker', () => {
  const checker = createKeyChecker(
    keysFromSettings({ FUNCTIONS_MASTER_KEY: 'm', FUNCTIONS_HOST_KEY: 'h', FUNCTIONS_FUNCTION_KEYS: '{"a":["ka1","ka2"],"b":"kb"}' }),
  );

  it.each([
    ['anonymous', 'a', undefined, true],
    ['function', 'a', undefined, false],
    ['function', 'a', 'ka2', true],
    ['function', 'a', 'kb', false],
    ['function', 'a', 'h', true],
    ['function', 'a', 'm', true],
    ['admin', 'a', 'h', false],
    ['admin', 'a', 'ka1', false],
    ['admin', 'a', 'm', true],
    ['system', 'a', 'h', false],
  ])('authLevel %s on %s with key %s → %s', (level, fn, key, allowed) => {
    // Prepare (keys: master m, host h, a: ka1/ka2, b: kb)

    // Act
    const result = checker.authorize(level, fn, key);

    // Assess
    expect(result).toBe(allowed);
  });

  it('allows everything when no key is configured', () => {
    // Prepare
    const open = createKeyChecker(keysFromSettings({}));

    // Act
    const result = open.authorize('admin', 'a', undefined);

    // Assess
    expect(open.enabled).toBe(false);
    expect(result).toBe(true);
  });
});

describe('createBackoff', () => {
  it('grows from 100 ms towards the maximum when polls come back empty, and resets on a message', () => {
    // Prepare
    const backoff = createBackoff({ minimumMs: 100, maximumMs: 2_000, random: () => 0.5 });

    // Act
    const delays = Array.from({ length: 8 }, () => backoff.next());
    backoff.reset();
    const afterReset = backoff.next();

    // Assess
    expect(delays).toEqual([100, 200, 300, 500, 900, 1700, 2000, 2000]);
    expect(afterReset).toBe(100);
  });
});

describe('createLineBuffer', () => {
  function streams() {
    const writes: Array<{ stream: string; text: string }> = [];
    const sink = (stream: string) => ({ write: (text: string) => writes.push({ stream, text }) });
    return { writes, streams: { stdout: sink('stdout'), stderr: sink('stderr') } };
  }

  it('writes the lines of one turn of the event loop in one write per stream, in order', async () => {
    // Prepare
    const { writes, streams: out } = streams();
    const buffer = createLineBuffer(out);

    // Act
    buffer.write('a\n', 'stdout');
    buffer.write('w\n', 'stderr');
    buffer.write('b\n', 'stdout');
    const before = writes.length;
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(before).toBe(0);
    expect(writes).toEqual([
      { stream: 'stdout', text: 'a\nb\n' },
      { stream: 'stderr', text: 'w\n' },
    ]);
  });

  it('writes what is pending at once on flush, and nothing twice', async () => {
    // Prepare
    const { writes, streams: out } = streams();
    const buffer = createLineBuffer(out);
    buffer.write('starting\n', 'stdout');

    // Act
    buffer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    buffer.write('next\n', 'stdout');
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(writes).toEqual([
      { stream: 'stdout', text: 'starting\n' },
      { stream: 'stdout', text: 'next\n' },
    ]);
  });
});
