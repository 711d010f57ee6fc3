import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { FunctionsCoreStub } from '../support/functionsCoreStub';
import type * as functionsCoreStub from '../support/functionsCoreStub';

/**
 * The registration contract of the app: every function in functions/ with its trigger and options,
 * exactly as `@azure/functions` hands them to the Functions host. A new registration, a changed
 * route or queue, or a library upgrade that alters the metadata fails here until this table is
 * updated on purpose. To add a function, add one row.
 */
interface ContractRow {
  name: string;
  trigger: 'httpTrigger' | 'queueTrigger' | 'timerTrigger';
  route?: string;
  methods?: string[];
  authLevel?: 'anonymous' | 'function' | 'admin';
  queueName?: string;
  connection?: string;
  schedule?: string;
  runOnStartup?: boolean;
  outputs?: Array<{ type: string; queueName?: string; connection?: string }>;
}

const CONTRACT: ContractRow[] = [
  { name: 'health', trigger: 'httpTrigger', route: 'health', methods: ['GET'], authLevel: 'anonymous' },
  { name: 'healthReady', trigger: 'httpTrigger', route: 'health/ready', methods: ['GET'], authLevel: 'function' },
  { name: 'usageIngest', trigger: 'httpTrigger', route: 'usage', methods: ['POST'], authLevel: 'function' },
  { name: 'usageReport', trigger: 'httpTrigger', route: 'usage', methods: ['GET'], authLevel: 'function' },
  { name: 'emitUsage', trigger: 'timerTrigger', schedule: '0 10 * * * *', runOnStartup: false },
  { name: 'landing', trigger: 'httpTrigger', route: 'landing', methods: ['GET'], authLevel: 'anonymous' },
  { name: 'landingActivate', trigger: 'httpTrigger', route: 'landing/activate', methods: ['POST'], authLevel: 'anonymous' },
  { name: 'activateSubscription', trigger: 'queueTrigger', queueName: 'activations', connection: 'AzureWebJobsStorage' },
  { name: 'webhook', trigger: 'httpTrigger', route: 'webhook', methods: ['POST'], authLevel: 'anonymous' },
  { name: 'processOperation', trigger: 'queueTrigger', queueName: 'operations', connection: 'AzureWebJobsStorage' },
  { name: 'listPoisonMessages', trigger: 'httpTrigger', route: 'ops/poison/{queue}', methods: ['GET'], authLevel: 'admin' },
  { name: 'replayPoisonMessages', trigger: 'httpTrigger', route: 'ops/poison/{queue}/replay', methods: ['POST'], authLevel: 'admin' },
  { name: 'listSubscriptions', trigger: 'httpTrigger', route: 'subscriptions', methods: ['GET'], authLevel: 'function' },
  { name: 'getSubscriptionDetail', trigger: 'httpTrigger', route: 'subscriptions/{subscriptionId}', methods: ['GET'], authLevel: 'function' },
  { name: 'changePlan', trigger: 'httpTrigger', route: 'subscriptions/{subscriptionId}/plan', methods: ['POST'], authLevel: 'function' },
  { name: 'changeQuantity', trigger: 'httpTrigger', route: 'subscriptions/{subscriptionId}/quantity', methods: ['POST'], authLevel: 'function' },
  { name: 'cancelSubscription', trigger: 'httpTrigger', route: 'subscriptions/{subscriptionId}/cancel', methods: ['POST'], authLevel: 'function' },
  { name: 'getOperationStatus', trigger: 'httpTrigger', route: 'operations/{operationId}', methods: ['GET'], authLevel: 'function' },
  { name: 'trackPublisherOperation', trigger: 'queueTrigger', queueName: 'publisher-operations', connection: 'AzureWebJobsStorage' },
  { name: 'reconcileSubscriptions', trigger: 'timerTrigger', schedule: '0 20 * * * *', runOnStartup: false },
  { name: 'reconcile', trigger: 'httpTrigger', route: 'reconcile', methods: ['POST'], authLevel: 'function' },
  { name: 'openApi', trigger: 'httpTrigger', route: 'openapi.json', methods: ['GET'], authLevel: 'function' },
  { name: 'enforceRetention', trigger: 'timerTrigger', schedule: '0 40 3 * * *', runOnStartup: false },
  { name: 'erasePersonalData', trigger: 'httpTrigger', route: 'subscriptions/{subscriptionId}/erase-personal-data', methods: ['POST'], authLevel: 'function' },
  { name: 'removeTestSubscriptions', trigger: 'httpTrigger', route: 'test-subscriptions/remove', methods: ['POST'], authLevel: 'function' },
];

const PINNED_LIBRARY = { name: '@azure/functions', version: '4.16.5' };

// The worker provides @azure/functions-core at run time; here a stub captures what the library registers.
jest.mock(
  '@azure/functions-core',
  () => jest.requireActual<typeof functionsCoreStub>('../support/functionsCoreStub').createFunctionsCoreStub(),
  { virtual: true },
);

const OPTION_KEYS = ['route', 'methods', 'authLevel', 'queueName', 'connection', 'schedule', 'runOnStartup'] as const;

function describeRegistration({ metadata }: FunctionsCoreStub['registrations'][number]): ContractRow {
  const bindings = Object.entries(metadata.bindings);
  const [, trigger] = bindings.find(([, binding]) => /trigger$/i.test(binding.type)) ?? [];
  const row: Record<string, unknown> = { name: metadata.name, trigger: trigger?.type };
  for (const key of OPTION_KEYS) if (trigger?.[key] !== undefined) row[key] = trigger[key];
  const outputs = bindings
    .filter(([name, binding]) => binding.direction === 'out' && !(name === '$return' && binding.type === 'http'))
    .map(([, binding]) => {
      const output: Record<string, unknown> = { type: binding.type };
      if (binding.queueName !== undefined) output.queueName = binding.queueName;
      if (binding.connection !== undefined) output.connection = binding.connection;
      return output;
    });
  if (outputs.length > 0) row.outputs = outputs;
  return row as unknown as ContractRow;
}

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

describe('registration contract of functions/', () => {
  let core: FunctionsCoreStub;

  beforeAll(async () => {
    const dir = path.resolve(__dirname, '..', '..', 'functions');
    const files = readdirSync(dir).filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'));
    for (const file of files) await import(path.join(dir, file));
    core = jest.requireMock<FunctionsCoreStub>('@azure/functions-core');
  });

  it('registers exactly the functions listed in the contract table, no more and no fewer', () => {
    // Prepare
    const expected = CONTRACT.map((row) => row.name).sort();

    // Act
    const registered = core.registrations.map((registration) => registration.metadata.name).sort();

    // Assess
    expect(registered).toEqual(expected);
  });

  it('registers every function with the trigger type and options in its row', () => {
    // Prepare
    const expected = [...CONTRACT].sort(byName);

    // Act
    const actual = core.registrations.map(describeRegistration).sort(byName);

    // Assess
    expect(actual).toEqual(expected);
  });

  it('gives every function a callable handler', () => {
    // Prepare (the functions were loaded in beforeAll)

    // Act
    const kinds = core.registrations.map((registration) => typeof registration.callback);

    // Assess
    expect(kinds).toEqual(CONTRACT.map(() => 'function'));
  });

  it('registers through the pinned @azure/functions programming model', () => {
    // Prepare (the library sets its programming model on the first registration)

    // Act
    const model = core.programmingModel();

    // Assess
    expect({ name: model?.name, version: model?.version }).toEqual(PINNED_LIBRARY);
  });
});
