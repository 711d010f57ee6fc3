import type { InvocationContext } from '@azure/functions';
import type { Telemetry } from './telemetry';

/**
 * Each instrumented invocation's telemetry, scoped to its span (set by instrumentInvocation before
 * the handler runs). Keyed by the InvocationContext the host hands both the preInvocation hook and
 * the handler; weak, so an entry goes with its invocation.
 */
const scopes = new WeakMap<InvocationContext, Telemetry>();

/** Records `scoped` (the invocation span's telemetry) as the telemetry of `invocation`'s work. */
export function scopeInvocation(invocation: InvocationContext, scoped: Telemetry): void {
  scopes.set(invocation, scoped);
}

/**
 * The telemetry `invocation`'s work uses: scoped to its span when it runs inside one (spans made
 * with it are children of the invocation span, log records carry its trace), else `telemetry` itself
 * (an invocation nobody instrumented: its spans are roots). Without telemetry, `telemetry` itself
 * and nothing is looked up.
 */
export function invocationTelemetry(telemetry: Telemetry, invocation: InvocationContext): Telemetry {
  if (!telemetry.enabled) return telemetry;
  return scopes.get(invocation) ?? telemetry;
}
