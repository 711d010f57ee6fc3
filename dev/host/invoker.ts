import { randomBytes, randomUUID } from 'node:crypto';
import type { LogFields, Logger } from '../../shared/logging';
import type { CoreRegistry } from './coreModule';
import type {
  CoreInvocationContext,
  PostInvocationContext,
  PreInvocationContext,
  ProgrammingModel,
  RpcInvocationResponse,
  RpcTypedData,
} from './coreTypes';
import type { HostFunction } from './functionIndex';

export interface InvocationInput {
  /** The trigger binding's data, e.g. `{ http: {...} }` or `{ string: messageText }`. */
  triggerData: RpcTypedData;
  /** Host-style (PascalCase) trigger metadata; the library camelCases it. */
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Extra fields for the invocation log line (e.g. the queue message id). */
  details?: LogFields;
  /** The caller's W3C `traceparent` / `tracestate` (HTTP requests that carry them). */
  trace?: { traceparent?: string; tracestate?: string };
}

export interface Invoker {
  /** Runs one invocation through the library's invocation model; rejects when the handler fails. */
  invoke(fn: HostFunction, input: InvocationInput): Promise<RpcInvocationResponse>;
  /** Resolves when no invocation is running (invocations started later are not awaited). */
  idle(): Promise<void>;
  readonly inFlight: number;
}

export interface InvokerOptions {
  registry: CoreRegistry;
  programmingModel: ProgrammingModel;
  logger: Logger;
}

/**
 * The worker's invocation sequence (azure-functions-nodejs-worker InvocationHandler):
 * getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation
 * hooks → (throw if failed) → getResponse. Logs one line per invocation.
 */
export function createInvoker(options: InvokerOptions): Invoker {
  const { registry, programmingModel, logger } = options;
  const running = new Set<Promise<unknown>>();

  const run = async (fn: HostFunction, input: InvocationInput, invocationId: string): Promise<RpcInvocationResponse> => {
    const current: { context?: unknown } = {};
    const coreContext: CoreInvocationContext = {
      invocationId,
      metadata: { name: fn.name, functionId: fn.name, bindings: { ...fn.bindings } },
      request: {
        invocationId,
        functionId: fn.name,
        inputData: [{ name: fn.triggerName, data: input.triggerData }],
        triggerMetadata: input.triggerMetadata ?? {},
        traceContext: invocationTraceContext(input.trace),
      },
      log: (level, category, message) =>
        registry.writeLog({ level, category, message, functionName: fn.name, invocationId, invocationContext: current.context }),
    };
    const model = await programmingModel.getInvocationModel(coreContext);
    const args = await model.getArguments();
    const invocationContext = args.context;
    current.context = invocationContext;
    const hookData = {};
    const pre: PreInvocationContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext,
      inputs: args.inputs,
      functionCallback: fn.callback,
    };
    await withState(coreContext, 'preInvocationHooks', async () => {
      for (const hook of registry.hooks('preInvocation')) await hook(pre);
    });
    const post: PostInvocationContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext,
      inputs: pre.inputs,
      result: null,
      error: null,
    };
    await withState(coreContext, 'invocation', async () => {
      try {
        post.result = await model.invokeFunction(invocationContext, pre.inputs, pre.functionCallback);
      } catch (error) {
        post.error = error;
      }
    });
    await withState(coreContext, 'postInvocationHooks', async () => {
      for (const hook of registry.hooks('postInvocation')) await hook(post);
    });
    if (post.error !== null && post.error !== undefined) {
      throw post.error instanceof Error ? post.error : new Error('The function threw a non-Error value', { cause: post.error });
    }
    return model.getResponse(invocationContext, post.result);
  };

  const invoke = async (fn: HostFunction, input: InvocationInput): Promise<RpcInvocationResponse> => {
    const invocationId = randomUUID();
    const started = performance.now();
    const fields = { functionName: fn.name, invocationId, trigger: fn.kind, ...input.details };
    logger.debug('function executing', fields);
    const promise = run(fn, input, invocationId);
    running.add(promise);
    try {
      const response = await promise;
      logger.info('function executed', { ...fields, outcome: 'Succeeded', durationMs: elapsed(started) });
      return response;
    } catch (error) {
      logger.error('function executed', { ...fields, outcome: 'Failed', durationMs: elapsed(started), error });
      throw error;
    } finally {
      running.delete(promise);
    }
  };

  return {
    invoke,
    idle: async () => {
      await Promise.allSettled([...running]);
    },
    get inFlight() {
      return running.size;
    },
  };
}

async function withState(
  context: CoreInvocationContext,
  state: NonNullable<CoreInvocationContext['state']>,
  action: () => Promise<void>,
): Promise<void> {
  context.state = state;
  try {
    await action();
  } finally {
    context.state = undefined;
  }
}

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * What the host puts in `traceContext`: the incoming request's `traceparent` (and `tracestate`) when it
 * has a valid one, otherwise a new trace (the host starts an activity for every invocation). The real
 * host passes the id of its own invocation span, which it exports; this host exports nothing, so it
 * passes the caller's context as it is, and a fresh trace is a root without a recorded parent span.
 */
export function invocationTraceContext(trace: InvocationInput['trace']): { traceParent: string; traceState: string; attributes: Record<string, string> } {
  const incoming = trace?.traceparent?.trim().toLowerCase();
  if (incoming !== undefined && TRACEPARENT.test(incoming)) return { traceParent: incoming, traceState: trace?.tracestate ?? '', attributes: {} };
  const ids = randomBytes(24).toString('hex'); // one call for the trace id (16 bytes) and the span id (8)
  return { traceParent: `00-${ids.slice(0, 32)}-${ids.slice(32)}-01`, traceState: '', attributes: {} };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
