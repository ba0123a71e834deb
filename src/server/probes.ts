import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../observability/metrics';
import { sendJson } from './http';

/**
 * The orchestrator's routes. Alive (/healthz): the process answers. Ready (/readyz): schema built
 * (implied: routes exist only once it is), not shutting down, and every readiness check passes
 * (Redis reachable when configured). The upstream host is deliberately not a condition: a Kore.ai
 * outage must not empty the pool. /metrics: Prometheus text, 404 when metrics are off.
 */

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export interface ProbeDeps {
  readonly readinessChecks: ReadonlyArray<ReadinessCheck>;
  readonly metrics: Metrics | undefined;
  /** True once the server is stopping: readiness turns 503 so the balancer stops sending. */
  readonly stopping: () => boolean;
}

/**
 * A readiness check's answer, false when it fails or takes longer than READINESS_CHECK_TIMEOUT_MS:
 * a probe must answer well inside the orchestrator's probe timeout, and a dependency too slow to
 * answer a probe is not ready either.
 */
export const READINESS_CHECK_TIMEOUT_MS = 300;
export async function boundedCheck(check: () => Promise<boolean>, timeoutMs = READINESS_CHECK_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export function probeRoutes(deps: ProbeDeps): Record<'/healthz' | '/metrics' | '/readyz', Route> {
  return {
    '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    '/metrics': async (_req, res) => {
      if (!deps.metrics) return sendJson(res, 404, { error: 'metrics are off' });
      const text = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(text);
    },
    '/readyz': async (_req, res) => {
      if (deps.stopping()) return sendJson(res, 503, { status: 'shutting down' });
      const results = await Promise.all(deps.readinessChecks.map(async (c) => [c.name, await boundedCheck(c.check)] as const));
      const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
      sendJson(res, failed.length ? 503 : 200, failed.length ? { status: 'not ready', failed } : { status: 'ready' });
    },
  };
}
