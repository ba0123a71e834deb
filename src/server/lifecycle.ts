import http from 'node:http';
import type { Logger } from '../observability/logger';

/**
 * The node http.Server: its timeouts, keep-alive and connection cap, the responses in flight, and
 * a graceful stop. It knows nothing of GraphQL: it is given the request handler.
 */

export interface HttpServerOptions {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  /** Told of every connection closed at once for being over `maxConnections`. */
  readonly onDrop: () => void;
  readonly log: Logger;
}

export interface HttpLifecycle {
  readonly httpServer: http.Server;
  /** True from the first call to stop(): readiness reports it, and every response is the last on its connection. */
  stopping(): boolean;
  /**
   * Refuses new connections, lets responses in flight finish for up to `graceMs`, then closes what
   * is left. Each connection is closed as soon as it is idle (at once, or once its response is
   * written), so it resolves when the last in-flight response is out, not when keep-alive clients
   * let go.
   */
  drain(graceMs: number): Promise<void>;
}

export function createHttpServer(options: HttpServerOptions, handler: http.RequestListener): HttpLifecycle {
  let stopping = false;
  /** Responses not yet finished, so that drain() can make each one the last on its connection. */
  const inFlight = new Set<http.ServerResponse>();
  const httpServer = http.createServer(
    {
      // Both count from a request's first byte (or the connection's start), never across an idle
      // keep-alive connection, so they do not conflict with keepAliveTimeout below.
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // node enforces both timeouts only when it sweeps its connections (by default every 30 s, which
      // let a slow client outlive its timeout by that much): sweep every second instead.
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      // While stopping, every response is the last on its connection: node closes the socket once
      // it is written, so keep-alive clients (http.Agent, fetch's pool) cannot hold shutdown open.
      if (stopping) res.setHeader('connection', 'close');
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        // A response finished while stopping may leave its connection idle (its headers were
        // already sent with keep-alive): close such connections now rather than at keepAliveTimeout.
        if (stopping) setImmediate(() => httpServer.closeIdleConnections());
      });
      handler(req, res);
    },
  );
  // Outlive typical load-balancer idle timeouts (often 60 s), so the balancer, not this server, closes
  // an idle connection and never sends a request on one this server is closing.
  httpServer.keepAliveTimeout = 65_000;
  // Over the cap, node closes a new connection as soon as it is accepted (its 'drop' event).
  httpServer.maxConnections = options.maxConnections;
  httpServer.on('drop', options.onDrop);

  return {
    httpServer,
    stopping: () => stopping,
    async drain(graceMs) {
      stopping = true;
      // Responses still being computed go out with `Connection: close`; those already streaming
      // have their connection closed once idle (the 'close' handler above).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
      if ((await Promise.race([drained, grace])) === 'timeout') {
        options.log.warn({ graceMs }, 'shutdown grace period over: closing remaining connections');
        httpServer.closeAllConnections();
      }
      clearTimeout(timer);
    },
  };
}
