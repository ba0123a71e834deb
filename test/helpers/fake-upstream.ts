import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A recording fake upstream: answers with whatever the test's reply function says (a status, a
 * body, headers, a delay, or a dropped connection) and records every request it was sent, and in
 * `events` what became of each, in order. Tests that assert "answered before the upstream did" give
 * a delay far longer than any test runs and assert on those events, never on elapsed time.
 */

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly rawQuery: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export type FakeReply =
  { status?: number; body?: unknown; raw?: string; headers?: Record<string, string>; delayMs?: number } | { destroy: true };

/**
 * What happened to request `index` (into `requests`): received; answered (its response was sent);
 * dropped (the reply said destroy); abandoned (the caller closed the connection before an answer).
 */
export interface FakeEvent {
  readonly kind: 'request' | 'answered' | 'dropped' | 'abandoned';
  readonly index: number;
}

export interface FakeUpstream {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** In the order they happened. A delayed reply whose caller gave up is never sent. */
  readonly events: FakeEvent[];
  /** Requests neither answered, dropped nor abandoned yet. */
  open(): number;
  reply: (req: FakeRequest) => FakeReply | Promise<FakeReply>;
  close(): Promise<void>;
}

export async function startFakeUpstream(reply: FakeUpstream['reply']): Promise<FakeUpstream> {
  const requests: FakeRequest[] = [];
  const events: FakeEvent[] = [];
  let open = 0;
  // Wakes every delayed reply (close() must not leave timers behind; an abandoned reply stops waiting).
  const sleepers = new Set<() => void>();
  let closing = false;
  const fake: Omit<FakeUpstream, 'url'> & { url: string } = {
    url: '',
    requests,
    events,
    open: () => open,
    reply,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: FakeRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        rawQuery: url.search.slice(1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      // Indexes into `requests` as it is now (tests may empty it between cases).
      const index = requests.push(recorded) - 1;
      events.push({ kind: 'request', index });
      open++;
      let ended = false;
      const end = (kind: FakeEvent['kind']) => {
        ended = true;
        open--;
        events.push({ kind, index });
      };
      let wake: (() => void) | undefined;
      res.on('close', () => {
        if (ended) return;
        end('abandoned');
        wake?.();
      });
      const r = await fake.reply(recorded);
      if (ended) return;
      if ('destroy' in r) {
        end('dropped');
        req.socket.destroy();
        return;
      }
      const delayMs = r.delayMs;
      if (delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => wake?.(), delayMs);
          wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake as () => void);
            resolve();
          };
          sleepers.add(wake);
        });
        if (ended || closing) return;
      }
      const text = r.raw ?? JSON.stringify(r.body ?? {});
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(text);
      end('answered');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      closing = true;
      for (const w of [...sleepers]) w();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
