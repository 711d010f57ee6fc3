import { ConfigurationError } from '../../../shared/errors';
import { loadTelemetrySettings } from '../../../shared/config';
import { flushTelemetry, noTelemetry, telemetryCapabilities, telemetryFor, type OpenTelemetry } from '../../../shared/telemetry';

describe('telemetryFor', () => {
  it('is noTelemetry when no exporter is configured', () => {
    // Act
    const telemetry = telemetryFor(loadTelemetrySettings({}));

    // Assess
    expect(telemetry).toBe(noTelemetry);
    expect(telemetryCapabilities(() => telemetry)).toEqual({});
  });

  it('exports over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and asks the host not to forward worker logs', async () => {
    // Prepare
    const settings = loadTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/', OTEL_SERVICE_NAME: 'fulfillment-test' });

    // Act
    const telemetry = telemetryFor(settings) as OpenTelemetry;

    // Assess
    expect(settings).toMatchObject({ otlpEndpoint: 'http://127.0.0.1:9', serviceName: 'fulfillment-test', exportDelayMs: 5000, metricIntervalMs: 60000, sampler: 'parentbased_always_on', samplerRatio: 1 });
    expect(telemetry.enabled).toBe(true);
    expect(telemetryCapabilities(() => telemetry)).toEqual({ WorkerOpenTelemetryEnabled: 'true' });
    await telemetry.shutdown();
  });

  it('names a malformed telemetry setting, and neither the capabilities nor the final flush throw on it', async () => {
    // Prepare
    const load = () => telemetryFor(loadTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_BSP_SCHEDULE_DELAY: 'soon' }));

    // Act
    const error = (() => {
      try {
        load();
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute URL/);
    expect((error as ConfigurationError).message).toMatch(/OTEL_BSP_SCHEDULE_DELAY must be a whole number/);
    expect(telemetryCapabilities(load)).toEqual({});
    await expect(flushTelemetry(load)).resolves.toBeUndefined();
  });
});

describe('OTEL_TRACES_SAMPLER', () => {
  it('reads a sampler and its ratio', () => {
    // Act
    const settings = loadTelemetrySettings({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });

    // Assess
    expect(settings).toMatchObject({ sampler: 'traceidratio', samplerRatio: 0.25 });
  });

  it.each([
    ['OTEL_TRACES_SAMPLER', 'jaeger_remote', /OTEL_TRACES_SAMPLER must be one of parentbased_always_on, .*traceidratio/],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
    ['OTEL_TRACES_SAMPLER_ARG', 'half', /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
  ])('names a bad %s (%s)', (key, value, message) => {
    expect(() => loadTelemetrySettings({ [key]: value })).toThrow(message);
  });
});

describe('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', () => {
  it.each([
    ['ClientId=0d6f5a1e-3c2b-4a19-9e7d-5b8c4f2a1e30;Authorization=AAD', { clientId: '0d6f5a1e-3c2b-4a19-9e7d-5b8c4f2a1e30' }],
    ['Authorization=AAD', {}],
    ['authorization=aad; ClientId=abc', { clientId: 'abc' }],
    ['Authorization=Key', undefined],
  ])('reads %s as the managed identity to export with', (value, expected) => {
    expect(loadTelemetrySettings({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value }).entraId).toEqual(expected);
  });
});
