import { appCopy, expectAllStopped, killLeftovers, startLocal, writeLocalSettings, type StartedStack } from './localStack';

// `npm start` as a user runs it: from a copy of the app, with local.settings.json copied from the
// sample, stopped every way a user stops it. Each start takes a while on a busy machine.
jest.setTimeout(240_000);

const START = ['node', 'dist/dev/start.js'];
let app: ReturnType<typeof appCopy>;

beforeAll(() => {
  app = appCopy();
});

afterAll(() => {
  app.remove();
});

/** Every process that belongs to the stack: the start process and what it started. */
const processes = (stack: StartedStack): number[] => [stack.child.pid ?? 0, ...stack.children];

describe('npm start', () => {
  let stack: StartedStack | undefined;

  afterEach(() => {
    // A failed test must not leave a stack behind.
    killLeftovers(stack);
    stack = undefined;
  });

  it('works with local.settings.json copied from the sample: ready, demo link served; SIGTERM stops everything', async () => {
    // Prepare
    writeLocalSettings(app.dir, 'sample');
    stack = await startLocal(app.dir, START);
    const pids = processes(stack);
    const demo = /Demo purchase \(open in a browser\): (\S+)/.exec(stack.output())?.[1] ?? '';

    // Act
    const ready = await fetch(`${stack.hostUrl}/api/health/ready`);
    const landing = await fetch(demo);
    stack.child.kill('SIGTERM');

    // Assess
    expect(stack.output()).not.toContain('NOT READY');
    expect(ready.status).toBe(200);
    expect(landing.status).toBe(200);
    expect(stack.children.length).toBeGreaterThanOrEqual(2); // Azurite and the host
    expect(await stack.exited).toEqual({ code: 0, signal: null });
    await expectAllStopped(stack, pids);
  });

  it('says at start which checks fail and which setting to fix when a setting points where nothing answers', async () => {
    // Prepare: the old sample's storage setting (port 10000, which nobody serves here)
    writeLocalSettings(app.dir, { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });

    // Act
    stack = await startLocal(app.dir, START);

    // Assess
    const output = stack.output();
    expect(output).toMatch(/WARNING: the stack started but is NOT READY; failing checks: tables, queues, poisonQueues/);
    expect(output).toMatch(/- tables: Table Storage at http:\/\/127\.0\.0\.1:10002\/devstoreaccount1 could not be read: .*check AzureWebJobsStorage/);
    expect(output).toContain('These settings come from local.settings.json: AzureWebJobsStorage');
    stack.child.kill('SIGTERM');
    await stack.exited;
    await expectAllStopped(stack, processes(stack));
  });

  it.each([
    ['Ctrl-C (SIGINT to the foreground process group)', 'SIGINT' as const],
    ['a closed terminal (SIGHUP to the process group)', 'SIGHUP' as const],
  ])('stops everything on %s, and the next start on the same ports works', async (_name, signal) => {
    // Prepare
    writeLocalSettings(app.dir, 'sample');
    stack = await startLocal(app.dir, START);
    const first = stack;
    const ports = { host: first.ports[0] ?? 0, emulator: first.ports[1] ?? 0, authority: first.ports[2] ?? 0 };

    // Act
    process.kill(-(first.child.pid ?? 0), signal);
    await first.exited;
    await expectAllStopped(first, processes(first));
    stack = await startLocal(app.dir, START, ports);

    // Assess
    expect(stack.output()).not.toContain('EADDRINUSE');
    expect((await fetch(`${stack.hostUrl}/api/health`)).status).toBe(200);
    stack.child.kill('SIGTERM');
    await stack.exited;
    await expectAllStopped(stack, processes(stack));
  });

  it('stops Azurite and the host when the start process is killed outright (SIGKILL)', async () => {
    // Prepare
    writeLocalSettings(app.dir, 'sample');
    stack = await startLocal(app.dir, START);
    const pids = processes(stack);

    // Act
    stack.child.kill('SIGKILL');

    // Assess
    await stack.exited;
    await expectAllStopped(stack, pids);
  });
});

describe('npm start through npm', () => {
  let copy: ReturnType<typeof appCopy>;
  let stack: StartedStack | undefined;

  beforeAll(() => {
    copy = appCopy({ withSources: true });
    writeLocalSettings(copy.dir, 'sample');
  });

  afterAll(() => {
    killLeftovers(stack);
    copy.remove();
  });

  it('stops everything on SIGTERM to the npm process (the script execs node, so npm passes the signal on)', async () => {
    // Prepare (npm start builds first)
    stack = await startLocal(copy.dir, ['npm', 'start'], undefined, 200_000);
    const pids = processes(stack);

    // Act
    stack.child.kill('SIGTERM');

    // Assess
    await stack.exited;
    await expectAllStopped(stack, pids);
    expect(stack.output()).toContain('Stopping (SIGTERM)');
  });
});
