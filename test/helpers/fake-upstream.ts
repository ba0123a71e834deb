import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A recording fake upstream: answers with whatever the test's reply function says (a status, a
 * body, headers, a delay, or a dropped connection) and records every request it was sent.
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
  | { status?: number; body?: unknown; raw?: string; headers?: Record<string, string>; delayMs?: number }
  | { destroy: true };

export interface FakeUpstream {
  readonly url: string;
  readonly requests: FakeRequest[];
  reply: (req: FakeRequest) => FakeReply | Promise<FakeReply>;
  close(): Promise<void>;
}

export async function startFakeUpstream(reply: FakeUpstream['reply']): Promise<FakeUpstream> {
  const requests: FakeRequest[] = [];
  const fake: Omit<FakeUpstream, 'url'> & { url: string } = { url: '', requests, reply, close: async () => undefined };
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
      requests.push(recorded);
      const r = await fake.reply(recorded);
      if ('destroy' in r) {
        req.socket.destroy();
        return;
      }
      if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
      const text = r.raw ?? JSON.stringify(r.body ?? {});
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
