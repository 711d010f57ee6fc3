/**
 * A stand-in for `@azure/functions-core`, the module the Functions worker provides at run time:
 * it captures every registration the `@azure/functions` library makes. Install it in a test file with
 *   jest.mock('@azure/functions-core', () => jest.requireActual('<path>/support/functionsCoreStub').createFunctionsCoreStub(), { virtual: true });
 * then read it back with `jest.requireMock<FunctionsCoreStub>('@azure/functions-core')`.
 */
export interface CapturedBinding {
  type: string;
  direction: string;
  [option: string]: unknown;
}

export interface CapturedRegistration {
  metadata: { name: string; bindings: Record<string, CapturedBinding> };
  callback: unknown;
}

export interface FunctionsCoreStub {
  registrations: CapturedRegistration[];
  programmingModel(): { name: string; version: string } | undefined;
}

export function createFunctionsCoreStub(): FunctionsCoreStub & Record<string, unknown> {
  const registrations: CapturedRegistration[] = [];
  let model: unknown;
  const disposable = { dispose: () => undefined };
  return {
    version: 'test-stub',
    hostVersion: 'test-stub',
    registrations,
    programmingModel: () => model as { name: string; version: string } | undefined,
    registerFunction: (metadata: CapturedRegistration['metadata'], callback: unknown) => {
      registrations.push({ metadata, callback });
      return disposable;
    },
    registerHook: () => disposable,
    setProgrammingModel: (programmingModel: unknown) => {
      model = programmingModel;
    },
    getProgrammingModel: () => model,
    log: () => undefined,
    Disposable: class {
      dispose(): void {}
    },
  };
}
