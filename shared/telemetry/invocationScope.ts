import type { InvocationContext } from '@azure/functions';
import type { Telemetry } from './telemetry';

/**
 * Each instrumented invocation's telemetry, scoped to its span (set by instrumentInvocation before
 * the handler runs), kept on the InvocationContext the host hands both the preInvocation hook and
 * the handler, under a property only this module can name: it goes with its invocation. A property
 * rather than a WeakMap entry: measured cheaper per invocation (a WeakMap entry is an ephemeron the
 * garbage collector has to trace specially), see docs/observability.md "## Cost".
 */
const SCOPE = Symbol('saas-fulfillment.telemetryScope');

type ScopedInvocation = InvocationContext & { [SCOPE]?: Telemetry };

/** Records `scoped` (the invocation span's telemetry) as the telemetry of `invocation`'s work. */
export function scopeInvocation(invocation: InvocationContext, scoped: Telemetry): void {
  (invocation as ScopedInvocation)[SCOPE] = scoped;
}

/**
 * The telemetry `invocation`'s work uses: scoped to its span when it runs inside one (spans made
 * with it are children of the invocation span, log records carry its trace), else `telemetry` itself
 * (an invocation nobody instrumented: its spans are roots). Without telemetry, `telemetry` itself
 * and nothing is looked up.
 */
export function invocationTelemetry(telemetry: Telemetry, invocation: InvocationContext): Telemetry {
  if (!telemetry.enabled) return telemetry;
  return (invocation as ScopedInvocation)[SCOPE] ?? telemetry;
}
