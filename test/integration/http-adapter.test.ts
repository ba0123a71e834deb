import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { Secret, usesProxy } from '../../src/config';
import { createHttpAdapter } from '../../src/upstream/http-adapter';
import { createKoreClient } from '../../src/upstream/kore';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { within } from '../helpers/wait';

/**
 * The lean axios adapter against a real server on port 0: what it sends, what it returns, and the
 * AxiosError codes the Kore client's error mapping relies on.
 */

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
let handler: Handler;
let server: http.Server;
let base: string;
let connections = 0;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agents.http.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (extra: Parameters<typeof axios.create>[0] = {}): AxiosInstance =>
  axios.create({
    baseURL: `${base}/`,
    adapter: createHttpAdapter(agents),
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    ...extra,
  });

const failure = async (p: Promise<unknown>): Promise<AxiosError> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof AxiosError) return error;
    throw error;
  }
  throw new Error('expected an AxiosError');
};

describe('lean axios adapter', () => {
  it('sends method, path, query, headers and a string body; returns status, headers and the text', async () => {
    let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    handler = (req, res, body) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' });
      res.end('{"ok":"é"}');
    };
    const res = await client({ headers: { 'content-type': 'application/json' } }).request<string>({
      method: 'POST',
      url: '/api/x?a=1&b=Non%20Interactive',
      data: '{}',
      headers: { auth: 'tok' },
    });
    expect(seen).toMatchObject({ method: 'POST', url: '/api/x?a=1&b=Non%20Interactive', body: '{}' });
    expect(seen.headers).toMatchObject({
      auth: 'tok',
      'content-type': 'application/json',
      'content-length': '2',
      'user-agent': 'engagement-graph',
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-echo']).toBe('yes');
    expect(res.data).toBe('{"ok":"é"}');
  });

  it("keeps a base URL's path prefix and takes absolute URLs as they are", async () => {
    const paths: string[] = [];
    handler = (req, res) => {
      paths.push(req.url ?? '');
      res.end('{}');
    };
    await client({ baseURL: `${base}/prefix/` }).get('/api/x?a=1');
    await client({ baseURL: `${base}/prefix` }).get('api/y');
    await client().get(`${base}/absolute?b=2`);
    expect(paths).toEqual(['/prefix/api/x?a=1', '/prefix/api/y', '/absolute?b=2']);
  });

  it('keeps one socket alive across sequential calls', async () => {
    handler = (_req, res) => res.end('{}');
    const api = client();
    await api.get('/one');
    const before = connections;
    for (let i = 0; i < 5; i++) await api.get('/again');
    expect(connections).toBe(before);
  });

  it('applies validateStatus like axios: rejected 4xx carry ERR_BAD_REQUEST and the response', async () => {
    handler = (_req, res) => {
      res.writeHead(404);
      res.end('nope');
    };
    const error = await failure(client().get('/missing'));
    expect(error.code).toBe(AxiosError.ERR_BAD_REQUEST);
    expect(error.response?.status).toBe(404);
    const accepted = await client({ validateStatus: () => true }).get('/missing');
    expect(accepted.status).toBe(404);
  });

  it('never follows a redirect (the auth header must not reach another origin)', async () => {
    const paths: string[] = [];
    handler = (req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    const res = await client({ validateStatus: () => true }).get('/start');
    expect(res.status).toBe(302);
    expect(paths).toEqual(['/start']);
  });

  it('timeout bounds the whole exchange, a slowly dripping body included: ECONNABORTED', async () => {
    // The body never ends: only a timeout that covers the body can end this exchange at all.
    let dripping: http.ServerResponse | undefined;
    handler = (_req, res) => {
      dripping = res;
      res.writeHead(200);
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 20);
    };
    const slow = failure(client({ timeout: 150 }).get('/slow'));
    const error = await within(slow, { what: 'the 150 ms timeout to end a body that never ends', timeoutMs: 20_000 });
    expect(error.code).toBe(AxiosError.ECONNABORTED);
    expect(dripping?.writableEnded).toBe(false); // cut while the server was still sending
  }, 30_000);

  it('an aborted signal cancels: ERR_CANCELED', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(client().get('/hang', { signal: controller.signal }));
    expect(error.code).toBe(AxiosError.ERR_CANCELED);
  });

  it('refuses a body over maxContentLength: ERR_BAD_RESPONSE naming the limit', async () => {
    handler = (_req, res) => res.end('x'.repeat(5000));
    const error = await failure(client({ maxContentLength: 1000 }).get('/big'));
    expect(error.code).toBe(AxiosError.ERR_BAD_RESPONSE);
    expect(error.message).toMatch(/maxContentLength size of 1000 exceeded/);
  });

  it('socket errors keep their code: ECONNREFUSED, ECONNRESET', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await failure(client({ baseURL: `http://127.0.0.1:${port}` }).get('/'))).code).toBe('ECONNREFUSED');
    handler = (req) => req.socket.destroy();
    expect((await failure(client().get('/reset'))).code).toBe('ECONNRESET');
  });
});

describe('proxies', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('usesProxy sees either spelling of each variable axios reads', () => {
    expect(usesProxy({})).toBe(false);
    expect(usesProxy({ HTTPS_PROXY: 'http://proxy:3128' })).toBe(true);
    expect(usesProxy({ http_proxy: 'http://proxy:3128' })).toBe(true);
    expect(usesProxy({ ALL_PROXY: 'http://proxy:3128' })).toBe(true);
    expect(usesProxy({ NO_PROXY: 'example.com' })).toBe(false);
  });

  it("with HTTP_PROXY set, the Kore client goes through the proxy (axios's own adapter)", async () => {
    const proxy = await startFakeUpstream(dailyAnswerFor); // records the absolute URL a proxy is sent
    const upstream = await startFakeUpstream(dailyAnswerFor);
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const kore = createKoreClient(
      { host: upstream.url, clientId: 'cs-a', clientSecret: new Secret('secret-a'), timeoutMs: 2000, tokenTtlSeconds: 60 },
      { debug: () => undefined, warn: () => undefined },
    );
    try {
      const data = await kore.fetchTrend({
        botId: 'st-1',
        version: 'v2',
        granularity: 'daily',
        startDay: 20_000,
        endDay: 20_006,
        timeZone: 'UTC',
        channel: null,
        conversationType: 'ALL',
        conversationStatus: 'ALL',
      });
      expect(data.series?.uniqueUsers).toHaveLength(7);
      expect(proxy.requests).toHaveLength(1);
      expect(upstream.requests).toHaveLength(0);
      expect(proxy.requests[0].headers.host).toBe(new URL(upstream.url).host);
    } finally {
      kore.close();
      await proxy.close();
      await upstream.close();
    }
  });
});
