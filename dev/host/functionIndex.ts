import type { RegisteredFunction } from './coreModule';
import type { FunctionCallback, RpcBindingInfo } from './coreTypes';

export type TriggerKind = 'http' | 'queue' | 'timer' | 'other';

/** One registered function with its trigger binding located (binding names carry a hash suffix). */
export interface HostFunction {
  readonly name: string;
  readonly bindings: Readonly<Record<string, RpcBindingInfo>>;
  readonly callback: FunctionCallback;
  readonly triggerName: string;
  readonly trigger: RpcBindingInfo;
  readonly kind: TriggerKind;
}

/** What the host reports about a function (`startHost().functions`, `/admin/host/status`). */
export interface FunctionSummary {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  queueName?: string;
  connection?: string;
  schedule?: string;
  runOnStartup?: boolean;
  outputs?: Array<{ type: string; queueName?: string }>;
  /** HTTP functions: the URL template on the running host. */
  invokeUrl?: string;
}

export function toHostFunction(registered: RegisteredFunction): HostFunction {
  const { metadata, callback } = registered;
  const triggers = Object.entries(metadata.bindings).filter(([, binding]) => /trigger$/i.test(binding.type ?? ''));
  const [first] = triggers;
  if (!first || triggers.length > 1) {
    throw new Error(`Function "${metadata.name}" must have exactly one trigger binding (found ${triggers.length})`);
  }
  const [triggerName, trigger] = first;
  return { name: metadata.name, bindings: metadata.bindings, callback, triggerName, trigger, kind: triggerKind(trigger.type) };
}

function triggerKind(type: string | null | undefined): TriggerKind {
  switch (type?.toLowerCase()) {
    case 'httptrigger':
      return 'http';
    case 'queuetrigger':
      return 'queue';
    case 'timertrigger':
      return 'timer';
    default:
      return 'other';
  }
}

/** A string option of a binding (`route`, `queueName`, `schedule`, …), or undefined. */
export function stringOption(binding: RpcBindingInfo, key: string): string | undefined {
  const value = binding[key];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(binding: RpcBindingInfo, key: string): boolean | undefined {
  const value = binding[key];
  return typeof value === 'boolean' ? value : undefined;
}

export function stringListOption(binding: RpcBindingInfo, key: string): string[] | undefined {
  const value = binding[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** The route template without the prefix: the binding's `route`, else the function name. */
export function routeOf(fn: HostFunction): string {
  return (stringOption(fn.trigger, 'route') ?? fn.name).replace(/^\/+/, '');
}

/** Upper-cased methods, or undefined when every method is allowed. */
export function methodsOf(fn: HostFunction): string[] | undefined {
  return stringListOption(fn.trigger, 'methods')?.map((method) => method.toUpperCase());
}

export function authLevelOf(fn: HostFunction): string {
  return (stringOption(fn.trigger, 'authLevel') ?? 'anonymous').toLowerCase();
}

/** The app setting that holds the storage connection (the binding's `connection`). */
export function connectionOf(binding: RpcBindingInfo): string {
  return stringOption(binding, 'connection') || 'AzureWebJobsStorage';
}

export function summarize(fn: HostFunction): FunctionSummary {
  const summary: FunctionSummary = { name: fn.name, trigger: fn.trigger.type ?? 'unknown' };
  if (fn.kind === 'http') {
    summary.route = routeOf(fn);
    const methods = methodsOf(fn);
    if (methods) summary.methods = methods;
    summary.authLevel = authLevelOf(fn);
  } else if (fn.kind === 'queue') {
    summary.queueName = stringOption(fn.trigger, 'queueName');
    summary.connection = connectionOf(fn.trigger);
  } else if (fn.kind === 'timer') {
    summary.schedule = stringOption(fn.trigger, 'schedule');
    summary.runOnStartup = booleanOption(fn.trigger, 'runOnStartup') ?? false;
  }
  const outputs = Object.entries(fn.bindings)
    .filter(([name, binding]) => binding.direction === 'out' && !(name === '$return' && binding.type === 'http'))
    .map(([, binding]) => {
      const queueName = stringOption(binding, 'queueName');
      return { type: binding.type ?? 'unknown', ...(queueName === undefined ? {} : { queueName }) };
    });
  if (outputs.length > 0) summary.outputs = outputs;
  return summary;
}
