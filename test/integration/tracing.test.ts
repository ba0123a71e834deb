import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { createTracing } from '../../src/observability/tracing';
import { startServerProcess } from '../helpers/server-process';

/** OpenTelemetry: off by default; with an OTLP endpoint, an operation span parents its upstream call spans. */
type OtlpSpan = {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
};

describe('tracing', () => {
  it('is off, with nothing to flush, when no endpoint is configured', async () => {
    const tracing = createTracing(undefined, 'x');
    expect(tracing.tracer).toBeUndefined();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });

  // Run as the real process: the OTLP exporter loads its HTTP agent with a dynamic import(),
  // which jest's module sandbox cannot execute.
  it('exports an operation span and its upstream call spans to the configured OTLP endpoint', async () => {
    const spans: OtlpSpan[] = [];
    const bodies: string[] = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const server = await startServerProcess({
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    });
    try {
      const { url } = server;
      const today = todayIn('UTC');
      const query = `query Traced { engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 5)}", end: "${isoDate(today - 2)}" }) { summary { uniqueUsers } hourly { hour } series { uniqueUsers { users } } } }`;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      server.kill('SIGTERM'); // shutdown flushes the exporter
      expect(await server.exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
      await new Promise<void>((resolve) => {
        collector.close(() => resolve());
        collector.closeAllConnections();
      });
    }
    const operation = spans.find((s) => s.name === 'graphql.operation');
    const upstream = spans.filter((s) => s.name === 'kore.userEngagementTrend');
    expect(operation).toBeDefined();
    expect(upstream).toHaveLength(2); // daily + hourly
    for (const s of upstream) {
      expect(s.traceId).toBe(operation!.traceId);
      expect(s.parentSpanId).toBe(operation!.spanId);
      expect(s.attributes.find((a) => a.key === 'kore.bot_id')?.value.stringValue).toBe('st-demo-retail');
    }
    const exported = bodies.join('');
    expect(exported).not.toContain('demo-secret-for-the-built-in-upstream-only');
    expect(exported).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  }, 40_000);
});
