import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { readBodyBytes } from '../fakes/fakeMarketplaceServer';

/** One telemetry item as Application Insights ingestion receives it (the `track` body is an array of these). */
export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  sampleRate?: number;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  contentEncoding?: string;
}

export interface AppInsightsReceiver {
  /**
   * An Application Insights connection string whose ingestion endpoint is this receiver. HTTPS: the
   * exporter turns an `http://` ingestion endpoint into `https://`, so plain HTTP cannot be used.
   */
  readonly connectionString: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Every request, in arrival order (anything but `POST /v2.1/track` is answered 404). */
  readonly requests: ReceivedRequest[];
  readonly envelopes: Envelope[];
  /** Decoded request bodies, for "nothing secret was exported" checks. */
  readonly raw: string[];
  close(): Promise<void>;
}

/** The instrumentation key of the connection string (all zeros: no real resource). */
export const TEST_INSTRUMENTATION_KEY = '00000000-0000-0000-0000-000000000000';

/**
 * Application Insights ingestion on 127.0.0.1 over HTTPS with the given certificate (the Breeze
 * `track` API the Azure Monitor exporter posts to): it takes the JSON array of envelopes,
 * gzip-encoded or not (the exporter compresses only for hosts under Azure's ingestion domains, so
 * over loopback the body comes plain), and accepts every item with the `{ itemsReceived,
 * itemsAccepted, errors }` answer the exporter reads.
 */
export async function startAppInsightsReceiver(tls: { cert: string; key: string }): Promise<AppInsightsReceiver> {
  const requests: ReceivedRequest[] = [];
  const envelopes: Envelope[] = [];
  const raw: string[] = [];
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const contentEncoding = req.headers['content-encoding'];
    requests.push({ method: req.method ?? '', path, ...(contentEncoding === undefined ? {} : { contentEncoding }) });
    void readBodyBytes(req).then(
      (bytes) => {
        if (req.method !== 'POST' || path !== '/v2.1/track') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no ${req.method} ${path} here` }));
          return;
        }
        let items: Envelope[];
        try {
          const text = (contentEncoding === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
          raw.push(text);
          items = JSON.parse(text) as Envelope[];
          if (!Array.isArray(items)) throw new TypeError('the body is not an array of envelopes');
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: String(error) }] }));
          return;
        }
        envelopes.push(...items);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    connectionString: `InstrumentationKey=${TEST_INSTRUMENTATION_KEY};IngestionEndpoint=https://${host}/`,
    host,
    requests,
    envelopes,
    raw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
