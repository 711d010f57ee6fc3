import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createInMemoryTelemetry, type InMemoryTelemetry } from '../../dev/inMemoryTelemetry';

/** Sum of one counter's data points whose attributes include `match`. */
export function counterValue(metrics: ResourceMetrics[], name: string, match: Record<string, unknown> = {}): number {
  const last = metrics.at(-1);
  let total = 0;
  for (const scope of last?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (Object.entries(match).every(([key, value]) => point.attributes[key] === value)) total += point.value as number;
      }
    }
  }
  return total;
}

/**
 * A fresh in-memory telemetry for each test of the enclosing `describe`, shut down after it. The
 * returned object always stands for the current test's instance.
 */
export function inMemoryTelemetryPerTest(): InMemoryTelemetry {
  let current: InMemoryTelemetry | undefined;
  beforeEach(() => {
    current = createInMemoryTelemetry();
  });
  afterEach(async () => {
    await current?.telemetry.shutdown();
    current = undefined;
  });
  const instance = (): InMemoryTelemetry => {
    if (current === undefined) throw new Error('inMemoryTelemetryPerTest: used outside a test');
    return current;
  };
  return {
    get telemetry() {
      return instance().telemetry;
    },
    collect: () => instance().collect(),
    reset: () => instance().reset(),
  };
}
