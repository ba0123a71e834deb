import http from 'node:http';
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { HOUR_KEYS, koreDate } from '../upstream/kore/labels';
import { canonicalTimeZone } from '../time/zones';
import { parseIsoDate } from '../time/calendar';
import { computeMetrics, type Counts, type Metrics, type MetricsQuery, type StatusFilter, type TypeFilter } from './metrics';
import { createFaultPicker, NO_FAULTS, parseFaults, writeSlowly, type Faults } from './faults';
import { World, type BotProfile } from './world';

/**
 * A Kore.ai-compatible User Engagement Trend server: both documented endpoints with their paths,
 * parameter spellings, response shapes and error bodies; JWT checks (HS256, appId, signature,
 * expiry, jti replay); Kore's per-bot analytics rate limits. It records every request it is sent,
 * so tests can count upstream calls.
 */

export interface EmulatorApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Bot ids this app has the User Engagement Trend scope for, or '*'. */
  readonly bots: readonly string[] | '*';
}

export interface EmulatorOptions {
  readonly apps: readonly EmulatorApp[];
  readonly bots?: readonly BotProfile[];
  /** Kore: 60 a minute and 1,800 an hour per bot, rolling. */
  readonly rateLimit?: { readonly perMinute: number; readonly perHour: number };
  /** The zone v1 aggregates in (v1 takes none). */
  readonly v1TimeZone?: string;
  /** v2's zone when `timeZoneOffset` is left out (Kore's is undocumented; its UI defaults to +05:30). */
  readonly v2DefaultTimeZone?: string;
  readonly now?: () => number;
  /** Initial fault switches (see faults.ts); changeable at run time on /emulator/faults. */
  readonly faults?: Partial<Faults>;
}

export interface RecordedCall {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly version: 'v1' | 'v2' | null;
  readonly botId: string | null;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface Emulator {
  readonly url: string;
  readonly calls: RecordedCall[];
  readonly world: World;
  /** The live fault switches: tests may change them directly. */
  readonly faults: Faults;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const koreError = (status: number, msg: string, code: number = status): Answer => ({ status, body: { errors: [{ msg, code }] } });
const TREND_PATH = /^\/api\/public\/bot\/([^/]+)\/(v2\/)?userEngagementTrend$/;
const TYPES: Record<string, TypeFilter> = { all: 'all', interactive: 'interactive', 'non interactive': 'non interactive' };
const STATUSES: Record<string, StatusFilter> = { all: 'all', active: 'active', closed: 'closed' };
const MAX_DAYS = 366;

export function createEmulatorHandler(options: EmulatorOptions, world: World, calls: RecordedCall[], faults: Faults) {
  const now = options.now ?? Date.now;
  const pickFault = createFaultPicker(faults);
  const limits = options.rateLimit ?? { perMinute: 60, perHour: 1800 };
  const accepted = new Map<string, number[]>(); // bot → times of accepted calls in the last hour
  const usedJti = new Map<string, number>(); // jti → exp (ms), pruned as they expire
  // Keys made once: jsonwebtoken given a string secret re-parses it (failing as PEM first) per call.
  const keys = new Map(options.apps.map((a) => [a, createSecretKey(Buffer.from(a.clientSecret, 'utf8'))]));

  function authenticate(token: string | undefined, botId: string): Answer | undefined {
    const decoded = token ? jwt.decode(token, { complete: true }) : null;
    if (!decoded || typeof decoded.payload !== 'object' || decoded.header.alg !== 'HS256') return koreError(401, 'Invalid JWT token', 4002);
    const app = options.apps.find((a) => a.clientId === (decoded.payload as JwtPayload).appId);
    if (!app) return koreError(401, 'Invalid SDK credentials', 4002);
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token as string, keys.get(app) as KeyObject, { algorithms: ['HS256'], clockTimestamp: Math.floor(now() / 1000) }) as JwtPayload;
    } catch {
      return koreError(401, 'Invalid JWT token', 4002);
    }
    if (payload.jti !== undefined) {
      if (payload.exp === undefined || payload.iat === undefined || payload.exp - payload.iat > 3600) return koreError(401, 'Invalid JWT token', 4002);
      // Insertion order is close to expiry order: drop expired ids from the front, not a full scan per call.
      for (const [id, exp] of usedJti) {
        if (exp >= now()) break;
        usedJti.delete(id);
      }
      if (usedJti.has(payload.jti)) return koreError(401, 'error verifying the jwt: possibly a replay');
      usedJti.set(payload.jti, payload.exp * 1000);
    }
    if (!world.has(botId)) return koreError(400, 'Invalid StreamId');
    if (app.bots !== '*' && !app.bots.includes(botId)) return koreError(401, 'Permission denied. Scope is incorrect!', 4002);
    return undefined;
  }

  function rateLimited(botId: string): Answer | undefined {
    const t = now();
    let times = accepted.get(botId);
    if (!times) accepted.set(botId, (times = []));
    // Times are appended in order: drop the expired ones from the front, and find the minute's
    // window by binary search (a filter per call grew with every call in the hour).
    let expired = 0;
    while (expired < times.length && times[expired] <= t - 3_600_000) expired++;
    if (expired) times.splice(0, expired);
    const minuteStart = firstAfter(times, t - 60_000);
    const inLastMinute = times.length - minuteStart;
    const wait = (oldest: number, windowMs: number) => String(Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)));
    if (inLastMinute >= limits.perMinute) {
      return { ...koreError(429, "You've exceeded the per-minute rate limit for this API. Please try again later."), headers: { 'retry-after': wait(times[minuteStart], 60_000) } };
    }
    if (times.length >= limits.perHour) {
      return { ...koreError(429, "You've exceeded the hourly rate limit for this API. Please try again later."), headers: { 'retry-after': wait(times[0], 3_600_000) } };
    }
    times.push(t);
    return undefined;
  }

  /** Index of the first time after `bound` in ascending `times`. */
  function firstAfter(times: number[], bound: number): number {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] > bound) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  function parseQuery(version: 'v1' | 'v2', q: URLSearchParams): MetricsQuery | Answer {
    const startDay = parseIsoDate(q.get('start_date') ?? '');
    const endDay = parseIsoDate(q.get('end_date') ?? '');
    if (startDay === null || endDay === null || startDay > endDay) return koreError(400, 'Invalid date range');
    if (endDay - startDay + 1 > MAX_DAYS) return koreError(412, 'Validation errors/ Invalid arguments');
    const aggregation = (q.get('aggregation_type') ?? 'hourly').toLowerCase();
    if (aggregation !== 'daily' && aggregation !== 'hourly') return koreError(412, 'Validation errors/ Invalid arguments');
    const type = TYPES[(q.get('conversationType') ?? 'All').toLowerCase()];
    const status = STATUSES[(q.get('conversationStatus') ?? 'All').toLowerCase()];
    const zoneName = version === 'v1' ? (options.v1TimeZone ?? 'UTC') : (q.get('timeZoneOffset') ?? options.v2DefaultTimeZone ?? 'Asia/Kolkata');
    const timeZone = canonicalTimeZone(zoneName);
    if (!type || !status || !timeZone) return koreError(412, 'Validation errors/ Invalid arguments');
    const channel = q.get('channels');
    return { startDay, endDay, timeZone, channel: channel && channel.toLowerCase() !== 'all' ? channel : null, type, status, hourly: aggregation === 'hourly' };
  }

  function answer(req: http.IncomingMessage): Answer & { version: RecordedCall['version']; botId: string | null } {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = TREND_PATH.exec(url.pathname);
    if (!route) return { ...koreError(404, 'Not Found'), version: null, botId: null };
    const version = route[2] ? 'v2' : 'v1';
    let botId: string;
    try {
      botId = decodeURIComponent(route[1]);
    } catch {
      return { ...koreError(400, 'Invalid StreamId'), version, botId: null };
    }
    const tag = { version, botId } as const;
    if (req.method !== 'POST') return { ...koreError(405, 'Method Not Allowed'), ...tag };
    const header = req.headers.auth;
    const denied = authenticate(Array.isArray(header) ? header[0] : header, botId) ?? rateLimited(botId);
    if (denied) return { ...denied, ...tag };
    const query = parseQuery(version, url.searchParams);
    if ('body' in query) return { ...query, ...tag };
    const events = world.events(botId, now()) as NonNullable<ReturnType<World['events']>>;
    const metrics = computeMetrics(events, query, now());
    return { status: 200, body: version === 'v2' ? v2Body(query, metrics) : v1Body(query, metrics), ...tag };
  }

  function faultsRoute(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (req.method === 'PUT' || req.method === 'DELETE') {
      try {
        Object.assign(faults, req.method === 'DELETE' ? NO_FAULTS : parseFaults(JSON.parse(body || '{}'), faults));
      } catch (error) {
        send(res, { status: 400, body: { error: error instanceof Error ? error.message : 'bad faults' } });
        return;
      }
    }
    send(res, { status: 200, body: faults });
  }

  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.method === 'GET' && req.url === '/emulator/bots') {
      send(res, { status: 200, body: world.profiles().map(({ id, name, channels }) => ({ id, name, channels: channels.map(([c]) => c) })) });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c)); // trend bodies are ignored, as Kore ignores them
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname === '/emulator/faults') return faultsRoute(req, res, Buffer.concat(chunks).toString('utf8'));
      const route = TREND_PATH.exec(url.pathname);
      const fault = route ? pickFault() : ({ kind: 'pass' } as const);
      const record = (status: number, version: RecordedCall['version'], botId: string | null) =>
        calls.push({ at: now(), method: req.method ?? '', path: url.pathname, version, botId, query: Object.fromEntries(url.searchParams), status });
      const routeVersion = route?.[2] ? 'v2' : 'v1';
      // Recorded on arrival (as the upstream counts it); answers are computed only when one is sent.
      const a = fault.kind === 'pass' ? answer(req) : undefined;
      if (a) record(a.status, a.version, a.botId);
      else record(fault.kind === 'reset' ? 0 : fault.kind === 'status' ? fault.status : 200, routeVersion, route?.[1] ?? null);
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (fault.kind === 'reset') return void req.socket.destroy();
      if (fault.kind === 'html') return writeSlowly(res, 200, { 'content-type': 'text/html' }, '<!doctype html><title>Maintenance</title><p>Back soon.</p>', faults.slowBodyMs);
      if (fault.kind === 'status') return send(res, { ...koreError(fault.status, fault.msg), headers: fault.headers }, faults.slowBodyMs);
      send(res, a as Answer, faults.slowBodyMs);
    });
  };
}

function send(res: http.ServerResponse, a: Answer, slowBodyMs = 0): void {
  const body = JSON.stringify(a.body);
  writeSlowly(res, a.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...a.headers }, body, slowBodyMs);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function hourRow(day: number, hours: Counts[], offset: number, pick: (c: Counts) => number): Record<string, string | number> {
  const row: Record<string, string | number> = { date: koreDate(day) };
  HOUR_KEYS.forEach((key, h) => (row[key] = pick(hours[offset + h])));
  return row;
}

function v2Body(q: MetricsQuery, m: Metrics) {
  const dayCount = q.endDay - q.startDay + 1;
  const trend = (pick: (c: Counts) => number) => ({
    dataPoints: m.days.map((c, d) =>
      m.hours ? hourRow(q.startDay + d, m.hours, d * 24, pick) : { date: koreDate(q.startDay + d), users: pick(c) },
    ),
  });
  return {
    summary: {
      uniqueUsers: m.summary.unique,
      newUsers: m.summary.new,
      returningUsers: m.summary.returning,
      avgUniqueUsersPerDay: round2(m.summary.unique / dayCount),
      avgNewUsersPerDay: round2(m.summary.new / dayCount),
      avgReturningUsersPerDay: round2(m.summary.returning / dayCount),
    },
    uniqueUsersTrend: trend((c) => c.unique),
    newUsersTrend: trend((c) => c.new),
    returningUsersTrend: trend((c) => c.returning),
    filters: {
      start: koreDate(q.startDay),
      end: koreDate(q.endDay),
      conversationType: q.type,
      conversationStatus: q.status,
      aggregationType: q.hourly ? 'hourly' : 'daily',
      dataPointsCount: dayCount,
    },
  };
}

/** v1 leaves days without users out (its documented sample is gappy), so clients must zero-fill. */
function v1Body(q: MetricsQuery, m: Metrics) {
  const results = m.days.flatMap((c, d) => {
    if (c.unique === 0) return [];
    return [m.hours ? hourRow(q.startDay + d, m.hours, d * 24, (h) => h.unique) : { date: koreDate(q.startDay + d), users: c.unique }];
  });
  return { results, totalResults: results.length };
}

export async function startEmulator(options: EmulatorOptions, port = 0, host = '127.0.0.1'): Promise<Emulator> {
  const world = new World(options.bots);
  // Generate every bot's sessions now: a start-up cost, rather than a first caller's wait.
  for (const id of world.botIds()) world.events(id, (options.now ?? Date.now)());
  const calls: RecordedCall[] = [];
  const faults = parseFaults(options.faults ?? {});
  const server = http.createServer(createEmulatorHandler(options, world, calls, faults));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    calls,
    world,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
