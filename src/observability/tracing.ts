import { context, trace, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry spans for operations and upstream calls, exported over OTLP/HTTP only when an
 * endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
 * Off, nothing is loaded and every hook is a no-op: no cost. Spans never carry tokens, secrets,
 * upstream bodies or query strings: bot id, version, granularity, status and timings only.
 */

export interface Tracing {
  readonly tracer: Tracer | undefined;
  /** Flush what is buffered and stop exporting (at shutdown). */
  shutdown(): Promise<void>;
}

export function createTracing(tracesEndpoint: string | undefined, serviceName: string): Tracing {
  if (!tracesEndpoint) return { tracer: undefined, shutdown: async () => undefined };
  // Loaded only when tracing is on (a synchronous, typed require keeps the exporter off the startup path).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BasicTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesEndpoint }), { scheduledDelayMillis: 1000 })],
  });
  return { tracer: provider.getTracer('engagement-graph'), shutdown: () => provider.shutdown() };
}

export function startOperationSpan(tracer: Tracer | undefined): Span | undefined {
  return tracer?.startSpan('graphql.operation', { kind: SpanKind.SERVER });
}

export function startUpstreamSpan(
  tracer: Tracer | undefined,
  parent: Span | undefined,
  attributes: Record<string, string>,
): Span | undefined {
  if (!tracer) return undefined;
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  return tracer.startSpan('kore.userEngagementTrend', { kind: SpanKind.CLIENT, attributes }, ctx);
}

export function endSpan(span: Span | undefined, attributes: Record<string, string | number>, failed: boolean): void {
  if (!span) return;
  span.setAttributes(attributes);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
