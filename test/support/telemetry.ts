import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';

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
