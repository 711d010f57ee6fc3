import { app } from '@azure/functions';
import { flushTelemetry, getTelemetry, instrumentInvocation, telemetryCapabilities } from '../shared/telemetry';

/**
 * Not a function: the telemetry seam of every function in this folder. With an exporter configured
 * (APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT) the worker exports its own
 * logs (the host stops forwarding them) and each invocation runs inside a span; otherwise nothing is
 * wrapped. What is buffered is exported when the worker stops. See docs/observability.md.
 */
app.setup({ capabilities: telemetryCapabilities() });
app.hook.preInvocation((context) => instrumentInvocation(getTelemetry(), context));
app.hook.appTerminate(() => flushTelemetry());
