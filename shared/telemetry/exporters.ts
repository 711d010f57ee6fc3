import { identitySdk } from '../lazySdk';
import type * as AzureMonitor from '@azure/monitor-opentelemetry-exporter';
import type * as OtlpLogs from '@opentelemetry/exporter-logs-otlp-http';
import type * as OtlpMetrics from '@opentelemetry/exporter-metrics-otlp-http';
import type * as OtlpTraces from '@opentelemetry/exporter-trace-otlp-http';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetrySettings } from '../config';

export interface Exporters {
  spanExporters: SpanExporter[];
  metricExporters: PushMetricExporter[];
  logExporters: LogRecordExporter[];
}

/**
 * The exporters the settings ask for: Azure Monitor with APPLICATIONINSIGHTS_CONNECTION_STRING, OTLP/HTTP
 * with OTEL_EXPORTER_OTLP_ENDPOINT, both when both are set, none otherwise. The packages are loaded only
 * when used, so a deployment without telemetry loads none of them.
 */
export function exportersFor(settings: Pick<TelemetrySettings, 'connectionString' | 'entraId' | 'otlpEndpoint'>): Exporters {
  const out: Exporters = { spanExporters: [], metricExporters: [], logExporters: [] };
  if (settings.connectionString !== undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when configured */
    const azure = require('@azure/monitor-opentelemetry-exporter') as typeof AzureMonitor;
    // With local authentication off (infra/), ingestion takes an Entra token of the app's identity.
    const { entraId } = settings;
    const credential = entraId === undefined ? undefined : entraId.clientId === undefined ? new (identitySdk().ManagedIdentityCredential)() : new (identitySdk().ManagedIdentityCredential)({ clientId: entraId.clientId });
    const options = { connectionString: settings.connectionString, ...(credential === undefined ? {} : { credential }) };
    out.spanExporters.push(new azure.AzureMonitorTraceExporter(options));
    out.metricExporters.push(new azure.AzureMonitorMetricExporter(options));
    out.logExporters.push(new azure.AzureMonitorLogExporter(options));
  }
  if (settings.otlpEndpoint !== undefined) {
    const base = settings.otlpEndpoint.replace(/\/+$/, '');
    const traces = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpTraces;
    const metrics = require('@opentelemetry/exporter-metrics-otlp-http') as typeof OtlpMetrics;
    const logs = require('@opentelemetry/exporter-logs-otlp-http') as typeof OtlpLogs;
    /* eslint-enable @typescript-eslint/no-require-imports */
    out.spanExporters.push(new traces.OTLPTraceExporter({ url: `${base}/v1/traces` }));
    out.metricExporters.push(new metrics.OTLPMetricExporter({ url: `${base}/v1/metrics` }));
    out.logExporters.push(new logs.OTLPLogExporter({ url: `${base}/v1/logs` }));
  }
  return out;
}
