import net from 'node:net';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startStack, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';
import { until } from '../helpers/wait';

/**
 * Slow clients on real sockets against a real server: a client that trickles its headers or its
 * body, or sends nothing, is cut once HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS pass (not node's
 * default minute and more), other clients are served meanwhile, and MAX_CONNECTIONS caps how many
 * connections the server holds.
 */

const today = todayIn('UTC', testNow()); // the stacks' clock
const Q = `{ engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 9)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`;

/** A raw client connection: what it received, and when the server closed it. */
interface Client {
  readonly socket: net.Socket;
  received: string;
  closedAt: number | undefined;
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const client: Client = { socket, received: '', closedAt: undefined };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (client.received += chunk));
    socket.on('close', () => (client.closedAt = Date.now()));
    socket.on('error', () => undefined); // a reset by the server shows as 'close'
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/**
 * Writes `text` one character every `everyMs`, by itself until the text is spent or the socket is
 * closed (never closing it: only the server may). Bounded, so a server that never cuts the client
 * cannot keep the loop going after the test has failed.
 */
function trickle(client: Client, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length || client.socket.destroyed) return clearInterval(timer);
    client.socket.write(text[i++]);
  }, everyMs);
}

const portOf = (stack: Stack) => Number(new URL(stack.url).port);
const serverConnections = (stack: Stack) =>
  new Promise<number>((resolve, reject) => stack.server.httpServer.getConnections((error, n) => (error ? reject(error) : resolve(n))));

describe('slow clients', () => {
  let stack: Stack | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await stack?.close();
    stack = undefined;
  });

  it('trickled headers, trickled bodies and silent sockets are cut within their timeouts while a normal client is served', async () => {
    stack = await startStack({ env: { HEADERS_TIMEOUT_MS: '3000', REQUEST_TIMEOUT_MS: '5000', MAX_CONNECTIONS: '200' } });
    const port = portOf(stack);
    expect((await stack.gql(Q)).body.errors).toBeUndefined(); // warm: the normal client's answer is ready

    // A keep-alive client that will stay idle longer than the headers timeout before asking again.
    const keepAlive = await connect(port);
    keepAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: eg\r\n\r\n');
    await until(() => keepAlive.received.includes('{"status":"ok"}'), { what: "the keep-alive client's first answer", timeoutMs: 10_000 });

    const slowHeaders = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    const slowBodies = await Promise.all(Array.from({ length: 10 }, () => connect(port)));
    const silent = await Promise.all(Array.from({ length: 10 }, () => connect(port)));
    clients.push(keepAlive, ...slowHeaders, ...slowBodies, ...silent);
    // At 5 bytes a second, 150 bytes would take 30 s: far longer than either timeout.
    for (const c of slowHeaders) trickle(c, `POST /graphql HTTP/1.1\r\nHost: eg\r\nX-Slow: ${'a'.repeat(120)}`, 200);
    for (const c of slowBodies) {
      c.socket.write('POST /graphql HTTP/1.1\r\nHost: eg\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
      trickle(c, '{"query":"' + ' '.repeat(140), 200);
    }
    const held = stack;
    await until(async () => (await serverConnections(held)) >= 61, { what: 'the server to hold every slow connection', timeoutMs: 10_000 });

    // Served meanwhile, with every slow client still connected.
    const normal = await stack.gql<{ engagementTrend: { summary: { uniqueUsers: number } } }>(Q);
    expect(normal.status).toBe(200);
    expect(normal.body.data?.engagementTrend.summary.uniqueUsers).toBeGreaterThan(0);
    const answeredAt = Date.now();
    expect([...slowHeaders, ...slowBodies, ...silent].filter((c) => c.closedAt !== undefined && c.closedAt <= answeredAt)).toEqual([]);

    // Cut by the server (408, then closed): headers after HEADERS_TIMEOUT_MS plus node's one-second
    // sweep, bodies after REQUEST_TIMEOUT_MS plus the sweep. Nothing else can end these connections
    // (no trickle ever completes a request; the silent ones never send), so the 408s prove the cut;
    // the deadlines, several times those timeouts, only keep a server that never cuts from hanging.
    await until(() => [...slowHeaders, ...silent].every((c) => c.closedAt !== undefined), {
      what: 'the slow-header and silent sockets to be cut',
      timeoutMs: 20_000,
    });
    await until(() => slowBodies.every((c) => c.closedAt !== undefined), { what: 'the slow-body sockets to be cut', timeoutMs: 20_000 });
    for (const c of [...slowHeaders, ...slowBodies, ...silent]) expect(c.received).toMatch(/^HTTP\/1\.1 408 /);
    // None of them got further than node's parser: no operation ran for them.
    const operations = stack.logs.filter((l) => l.includes('"msg":"graphql operation"'));
    expect(operations).toHaveLength(2);

    // Idle longer than the headers timeout, the keep-alive connection is still good (the timeouts
    // count from a request's first byte, keepAliveTimeout governs idle connections).
    expect(keepAlive.closedAt).toBeUndefined();
    const before = keepAlive.received.length;
    keepAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: eg\r\n\r\n');
    await until(() => keepAlive.received.slice(before).includes('{"status":"ok"}'), {
      what: "the keep-alive client's second answer",
      timeoutMs: 10_000,
    });
    expect(keepAlive.received.slice(before)).toMatch(/^HTTP\/1\.1 200 /);
  }, 70_000);

  it('MAX_CONNECTIONS holds: connections over the cap are closed at once, the ones under it are served', async () => {
    stack = await startStack({ env: { MAX_CONNECTIONS: '10' } });
    const port = portOf(stack);
    let accepted = 0;
    let dropped = 0;
    stack.server.httpServer.on('connection', () => accepted++);
    stack.server.httpServer.on('drop', () => dropped++);

    const holders = await Promise.all(Array.from({ length: 10 }, () => connect(port)));
    clients.push(...holders);
    await until(() => accepted === 10, { what: 'the server to accept the first ten', timeoutMs: 10_000 });

    const over = await Promise.all(Array.from({ length: 5 }, () => connect(port)));
    clients.push(...over);
    await until(() => over.every((c) => c.closedAt !== undefined), {
      what: 'the connections over the cap to be closed',
      timeoutMs: 10_000,
    });
    expect(over.map((c) => c.received)).toEqual(['', '', '', '', '']);
    expect(dropped).toBe(5);
    expect(accepted).toBe(10);
    expect(holders.filter((c) => c.closedAt !== undefined)).toEqual([]);

    // Under the cap, a holder is a normal client and is answered.
    holders[0].socket.write('GET /healthz HTTP/1.1\r\nHost: eg\r\n\r\n');
    await until(() => holders[0].received.includes('{"status":"ok"}'), { what: 'an answer under the cap', timeoutMs: 10_000 });

    // Room again once holders leave; the refusals are counted.
    for (const c of holders) c.socket.destroy();
    const held = stack;
    await until(async () => (await serverConnections(held)) === 0, { what: 'the server to see the holders leave', timeoutMs: 10_000 });
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toContain('eg_refusals_total{kind="connection-cap"} 5');
  }, 40_000);
});
