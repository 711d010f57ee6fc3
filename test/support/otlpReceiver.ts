import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../fakes/fakeMarketplaceServer';

/** A span as OTLP/HTTP JSON carries it, with its attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
  status: { code?: number; message?: string };
}

export interface ReceivedLogRecord {
  body: unknown;
  traceId?: string;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** Give it to the app as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly logs: ReceivedLogRecord[];
  /** Every metric name received (values are not decoded). */
  readonly metricNames: Set<string>;
  /** Raw request bodies, for "nothing secret was exported" checks. */
  readonly raw: string[];
  close(): Promise<void>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };

function flatten(attributes: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? '' : Number(value.intValue));
  }
  return out;
}

/**
 * An OTLP/HTTP (JSON) collector on 127.0.0.1 for tests whose spans come from the local host's child
 * process, where an in-memory exporter cannot be read: the app exports to it through the real OTLP
 * exporters, and the test reads what arrived.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLogRecord[] = [];
  const metricNames = new Set<string>();
  const raw: string[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      raw.push(text);
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown[]>;
      if (req.url === '/v1/traces') {
        for (const resource of (body.resourceSpans ?? []) as Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>) {
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                traceId: span.traceId as string,
                spanId: span.spanId as string,
                parentSpanId: (span.parentSpanId as string | undefined) || undefined,
                name: span.name as string,
                kind: span.kind as number,
                attributes: flatten(span.attributes as OtlpAttribute[]),
                links: ((span.links ?? []) as Array<{ traceId: string; spanId: string }>).map(({ traceId, spanId }) => ({ traceId, spanId })),
                status: (span.status ?? {}),
              });
            }
          }
        }
      } else if (req.url === '/v1/logs') {
        for (const resource of (body.resourceLogs ?? []) as Array<{ scopeLogs?: Array<{ logRecords?: Array<Record<string, unknown>> }> }>) {
          for (const scope of resource.scopeLogs ?? []) {
            for (const record of scope.logRecords ?? []) {
              logs.push({ body: (record.body as OtlpValue | undefined)?.stringValue, traceId: (record.traceId as string | undefined) || undefined, attributes: flatten(record.attributes as OtlpAttribute[]) });
            }
          }
        }
      } else if (req.url === '/v1/metrics') {
        for (const resource of (body.resourceMetrics ?? []) as Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }>) {
          for (const scope of resource.scopeMetrics ?? []) for (const metric of scope.metrics ?? []) metricNames.add(metric.name);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }, () => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    logs,
    metricNames,
    raw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
