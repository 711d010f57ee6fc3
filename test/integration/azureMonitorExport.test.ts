import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { ensureTlsMaterial, type TlsMaterial } from '../../dev/emulator/certificates';
import { loadTelemetrySettings } from '../../shared/config';
import { telemetryFor, type OpenTelemetry } from '../../shared/telemetry';
import { startAppInsightsReceiver, TEST_INSTRUMENTATION_KEY, type AppInsightsReceiver, type Envelope } from '../support/appInsightsReceiver';

// Our own spans (RecordedSpan) through the real Azure Monitor exporters, built exactly as production
// builds them (telemetryFor -> exportersFor with APPLICATIONINSIGHTS_CONNECTION_STRING), to an
// Application Insights ingestion endpoint on loopback. Nothing may leave the machine, and the
// exporter of this version reaches out to Microsoft on its own in three ways:
// - statsbeat: at construction it probes the Azure instance metadata service (169.254.169.254, off
//   Azure), then sends its own metrics to Microsoft's ingestion (westus-0 / westeurope-5
//   .in.applicationinsights.azure.com), 15 s after start and then every 15 min and every day.
//   APPLICATION_INSIGHTS_NO_STATSBEAT turns all of it off (and the "customer SDK stats" it would send
//   to our own endpoint); APPLICATIONINSIGHTS_STATSBEAT_DISABLED only drops two optional gauges.
// - OneSettings: every exporter starts a process-wide poller that GETs
//   https://settings.sdk.monitor.azure.com 5-15 s after construction, then hourly. No setting turns it
//   off; the test stops it through the exporter's ConfigurationManager singleton.
// - offline storage: envelopes that cannot be sent are written under os.tmpdir(); the test points
//   that at a folder of its own and checks that nothing was written there.
// A guard on net.Socket.prototype.connect (under http, https, tls and fetch alike) records every
// connection the process attempts and refuses any that is not to 127.0.0.1, before any DNS lookup.
// The exporter only speaks HTTPS (it rewrites an http:// ingestion endpoint to https://), so the
// receiver serves the local CA's certificate of dev/emulator/certificates.ts.

const ENDPOINT_PATH = '/v2.1/track';
/** The exporter sets these tags from the span and resource; Application Insights shows them as operation_Id etc. */
const OPERATION_ID = 'ai.operation.id';
const PARENT_ID = 'ai.operation.parentId';
const ROLE_NAME = 'ai.cloud.role';

/** The Functions host's invocation span, as it reaches the worker (the server span's remote parent). */
const HOST_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HOST_SPAN_ID = '00f067aa0ba902b7';
const SUBSCRIPTION_ID = '9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d';
const CHILD_WORK_MS = 30;

interface ConnectionGuard {
  /** `host:port` (or the IPC path) of every connection attempted while installed, allowed or not. */
  readonly attempts: string[];
  restore(): void;
}

/**
 * Records every connection the process attempts and refuses, before any DNS lookup, each one not to
 * 127.0.0.1. TLS connections to `trusted.host` trust `trusted.ca` (what NODE_EXTRA_CA_CERTS would
 * do, which Node reads only at start): the exporter then verifies the receiver's certificate as it
 * verifies Azure's.
 */
function loopbackOnly(trusted: { host: string; ca: string }): ConnectionGuard {
  const attempts: string[] = [];
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
  const sockets = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // net.connect passes [options, callback] as one pre-normalized array; other callers (options, cb) or (port, host, cb).
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (first !== null && typeof first === 'object' ? first : { port: first, host: args[1] }) as { host?: string | null; port?: number | string; path?: string | null };
    const ipc = typeof options.path === 'string';
    const target = ipc ? String(options.path) : `${options.host ?? 'localhost'}:${String(options.port)}`;
    attempts.push(target);
    if (!ipc && options.host === '127.0.0.1') return connect.apply(this, args);
    process.nextTick(() => this.destroy(new Error(`connection to ${target} refused by the test: nothing may leave loopback`)));
    return this;
  });
  const tlsConnect = tls.connect as (...args: unknown[]) => tls.TLSSocket;
  const tlsSockets = jest.spyOn(tls, 'connect').mockImplementation(((...args: unknown[]) => {
    const options = args[0] as tls.ConnectionOptions | undefined;
    const toReceiver = options !== null && typeof options === 'object' && `${options.host ?? ''}:${String(options.port)}` === trusted.host;
    return toReceiver ? tlsConnect({ ...options, ca: trusted.ca }, ...args.slice(1)) : tlsConnect(...args);
  }));
  return {
    attempts,
    restore: () => {
      tlsSockets.mockRestore();
      sockets.mockRestore();
    },
  };
}

/** The exporter's process-wide OneSettings poller (internal: no setting or public API stops it in this version). */
function oneSettingsPoller(): { worker?: unknown; shutdown(): void } {
  const entry = require.resolve('@azure/monitor-opentelemetry-exporter');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same module instance the exporters started
  const internal = require(join(dirname(entry), '_configuration', 'configurationManager.js')) as { ConfigurationManager: { getInstance(): { worker?: unknown; shutdown(): void } } };
  return internal.ConfigurationManager.getInstance();
}

/** Milliseconds of an Application Insights time span (`[d.]hh:mm:ss.fffffff`, as the exporter writes durations). */
function timeSpanMs(text: unknown): number {
  const match = /^(?:(\d+)\.)?(\d{2}):(\d{2}):(\d{2}\.\d{3,7})$/.exec(String(text));
  if (match === null) throw new Error(`not an Application Insights time span: ${String(text)}`);
  const [, days = '0', hours, minutes, seconds] = match;
  return (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

let tlsMaterial: TlsMaterial;
let receiver: AppInsightsReceiver;
let guard: ConnectionGuard;
let storageRoot: string;
const savedStatsbeatSetting = process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;

beforeAll(async () => {
  tlsMaterial = await ensureTlsMaterial();
  receiver = await startAppInsightsReceiver(tlsMaterial);
  guard = loopbackOnly({ host: receiver.host, ca: readFileSync(tlsMaterial.caCertPath, 'utf8') });
  storageRoot = mkdtempSync(join(os.tmpdir(), 'azmon-export-test-'));
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
});

afterAll(async () => {
  oneSettingsPoller().shutdown();
  guard?.restore();
  if (savedStatsbeatSetting === undefined) delete process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;
  else process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = savedStatsbeatSetting;
  await receiver?.close();
  await tlsMaterial?.dispose();
  if (storageRoot !== undefined) rmSync(storageRoot, { recursive: true, force: true });
});

describe('export through the Azure Monitor exporter', () => {
  it('sends our spans, a log record and the metrics as Application Insights envelopes, and nothing beyond loopback', async () => {
    // Prepare: production's wiring; the exporters' offline storage lands in the test's own folder.
    const settings = loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: receiver.connectionString, OTEL_SERVICE_NAME: 'fulfillment-azmon-test' });
    const tmpdir = jest.spyOn(os, 'tmpdir').mockReturnValue(storageRoot);
    const telemetry = telemetryFor(settings) as OpenTelemetry;
    tmpdir.mockRestore();
    expect(oneSettingsPoller().worker).toBeDefined();
    const startedAt = Date.now();
    const before = performance.now();
    const ids: { server?: string[]; child?: string[] } = {};

    // Act
    await telemetry.inSpan(
      'POST /api/webhook',
      { kind: 'server', parent: { traceparent: `00-${HOST_TRACE_ID}-${HOST_SPAN_ID}-01` }, attributes: { 'faas.trigger': 'http', 'http.request.method': 'POST', 'http.route': '/api/webhook' } },
      async (server) => {
        ids.server = server.telemetry.currentCarrier()?.traceparent.split('-');
        const child = server.telemetry.startSpan('send operations', { kind: 'producer', attributes: { 'messaging.system': 'azure_storage_queues', 'messaging.destination.name': 'operations', 'buyer.contact': 'buyer@contoso.example' } });
        ids.child = child.telemetry.currentCarrier()?.traceparent.split('-');
        child.setAttributes({ 'saas.subscription_id': SUBSCRIPTION_ID, 'messaging.attempt': 2 });
        await delay(CHILD_WORK_MS);
        child.telemetry.log('warn', 'operation message not sent', { subscriptionId: SUBSCRIPTION_ID, attempt: 2 });
        child.fail('queue unavailable');
        child.end();
        server.setAttributes({ 'http.response.status_code': 200 });
        server.telemetry.count('webhook.received', { outcome: 'accepted' });
        server.telemetry.count('webhook.received', { outcome: 'accepted' });
        server.telemetry.record('operation.ack_delay', 120, { action: 'ChangePlan' });
        server.telemetry.record('operation.ack_delay', 80, { action: 'ChangePlan' });
      },
    );
    const elapsedMs = performance.now() - before;
    const endedAt = Date.now();
    await telemetry.flush();

    // Assess: the server span is a Request, the producer span a RemoteDependency of type Queue Message.
    const ofKind = (name: string): Envelope[] => receiver.envelopes.filter((envelope) => envelope.name === `Microsoft.ApplicationInsights.${name}`);
    const single = (name: string): Envelope => {
      expect(ofKind(name)).toHaveLength(1);
      return ofKind(name)[0]!;
    };
    const request = single('Request');
    const dependency = single('RemoteDependency');
    const [, serverTraceId, serverSpanId] = ids.server ?? [];
    const [, childTraceId, childSpanId] = ids.child ?? [];
    expect([serverTraceId, childTraceId]).toEqual([HOST_TRACE_ID, HOST_TRACE_ID]);
    for (const envelope of receiver.envelopes) {
      expect(envelope.iKey).toBe(TEST_INSTRUMENTATION_KEY);
      expect(envelope.tags[ROLE_NAME]).toBe('fulfillment-azmon-test');
    }
    expect(request.data.baseType).toBe('RequestData');
    expect(request.tags).toMatchObject({ [OPERATION_ID]: HOST_TRACE_ID, [PARENT_ID]: HOST_SPAN_ID, 'ai.operation.name': 'POST /api/webhook' });
    expect(request.data.baseData).toMatchObject({ id: serverSpanId, name: 'POST /api/webhook', success: true, responseCode: '200' });
    expect(request.data.baseData.properties).toMatchObject({ 'faas.trigger': 'http' });
    expect(dependency.data.baseType).toBe('RemoteDependencyData');
    expect(dependency.tags).toMatchObject({ [OPERATION_ID]: HOST_TRACE_ID, [PARENT_ID]: serverSpanId });
    expect(dependency.data.baseData).toMatchObject({ id: childSpanId, name: 'send operations', type: 'Queue Message', success: false });
    expect(dependency.data.baseData.properties).toMatchObject({ 'messaging.destination.name': 'operations', 'saas.subscription_id': SUBSCRIPTION_ID, 'messaging.attempt': '2' });
    expect(receiver.raw.join('\n')).not.toContain('buyer@contoso.example');

    // Assess: durations in Application Insights' time span format, consistent with what the test timed.
    const requestMs = timeSpanMs(request.data.baseData.duration);
    const dependencyMs = timeSpanMs(dependency.data.baseData.duration);
    expect(dependencyMs).toBeGreaterThanOrEqual(CHILD_WORK_MS - 1);
    expect(requestMs).toBeGreaterThanOrEqual(dependencyMs);
    expect(requestMs).toBeLessThanOrEqual(elapsedMs + 1);
    // The exporter turns a start time into a Date through nanoseconds held in a double (beyond 2^53),
    // which can land up to 1 ms early; the order of starts is kept.
    const requestStart = Date.parse(request.time);
    const dependencyStart = Date.parse(dependency.time);
    expect(requestStart).toBeGreaterThanOrEqual(startedAt - 1);
    expect(dependencyStart).toBeGreaterThanOrEqual(requestStart);
    expect(dependencyStart + dependencyMs).toBeLessThanOrEqual(endedAt + 1);

    // Assess: the log record is a Message in the child span's operation, its fields as properties.
    const message = single('Message');
    expect(message.tags).toMatchObject({ [OPERATION_ID]: HOST_TRACE_ID, [PARENT_ID]: childSpanId });
    expect(message.data.baseData).toMatchObject({ message: 'operation message not sent', severityLevel: 'Warning', properties: { subscriptionId: SUBSCRIPTION_ID, attempt: '2' } });

    // Assess: the counter and the histogram as Metric envelopes under the contract's names (customMetrics).
    const metrics = ofKind('Metric').map((envelope) => ({ ...(envelope.data.baseData.metrics as Array<Record<string, unknown>>)[0], properties: envelope.data.baseData.properties }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'webhook.received', value: 2, properties: { outcome: 'accepted' } }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'operation.ack_delay', value: 200, count: 2, min: 80, max: 120, properties: { action: 'ChangePlan' } }));

    // Assess: nothing but ingestion calls, all to the receiver; no statsbeat; nothing stored offline.
    await telemetry.shutdown();
    oneSettingsPoller().shutdown();
    expect(oneSettingsPoller().worker).toBeUndefined();
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((received) => received.method === 'POST' && received.path === ENDPOINT_PATH)).toBe(true);
    expect(ofKind('Statsbeat')).toEqual([]);
    expect(guard.attempts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(guard.attempts)).toEqual(new Set([receiver.host]));
    expect(filesUnder(storageRoot)).toEqual([]);
  });
});
