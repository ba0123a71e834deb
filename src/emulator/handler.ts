import type http from 'node:http';
import { koreError, send, type Answer } from './answer';
import { createAuthenticator } from './auth';
import { v1Body, v2Body } from './bodies';
import { recordCall, type RecordedCall } from './calls';
import type { EmulatorOptions } from './emulator.server';
import { NO_FAULTS, parseFaults, type Faults } from '../config/emulator';
import { createFaultPicker, writeSlowly } from './faults';
import { computeMetrics } from './metrics';
import { createRateLimiter, KORE_RATE_LIMIT } from './rate-limit';
import { parseRequest, type TrendRequest } from './request';
import type { World } from './world';

/**
 * Routing: `GET /emulator/bots`, the fault switches on `/emulator/faults`, and the two trend paths.
 * A trend call is recorded on arrival (as the upstream counts it), then a fault switch may replace
 * its answer; otherwise the checks run in Kore's order: method, JWT, rate limit, parameters.
 * An answer is computed only when one is sent.
 */
export function createEmulatorHandler(options: EmulatorOptions, world: World, calls: RecordedCall[], faults: Faults) {
  const now = options.now ?? Date.now;
  const pickFault = createFaultPicker(faults);
  const authenticate = createAuthenticator(options.apps, world, now);
  const rateLimited = createRateLimiter(options.rateLimit ?? KORE_RATE_LIMIT, now);

  function answer(method: string, trend: TrendRequest): Answer {
    const { botId, query } = trend;
    if (botId === null) return koreError(400, 'Invalid StreamId');
    if (method !== 'POST') return koreError(405, 'Method Not Allowed');
    const denied = authenticate(trend.token, botId) ?? rateLimited(botId);
    if (denied) return denied;
    if ('body' in query) return query;
    const events = world.events(botId, now()) as NonNullable<ReturnType<World['events']>>;
    const metrics = computeMetrics(events, query, now());
    return { status: 200, body: trend.version === 'v2' ? v2Body(query, metrics) : v1Body(query, metrics) };
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
      send(res, {
        status: 200,
        body: world.profiles().map(({ id, name, channels }) => ({ id, name, channels: channels.map(([c]) => c) })),
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c)); // trend bodies are ignored, as Kore ignores them
    req.on('end', async () => {
      const request = parseRequest(req, options);
      if (request.path === '/emulator/faults') return faultsRoute(req, res, Buffer.concat(chunks).toString('utf8'));
      const { trend } = request;
      const fault = trend ? pickFault() : ({ kind: 'pass' } as const);
      const a = fault.kind === 'pass' ? (trend ? answer(request.method, trend) : koreError(404, 'Not Found')) : undefined;
      // A faulted call is recorded with the bot id as written in the path (it is never decoded).
      if (a) recordCall(calls, request, now(), a.status, trend?.botId ?? null);
      else
        recordCall(
          calls,
          request,
          now(),
          fault.kind === 'reset' ? 0 : fault.kind === 'status' ? fault.status : 200,
          trend?.rawBotId ?? null,
        );
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (fault.kind === 'reset') return void req.socket.destroy();
      if (fault.kind === 'html')
        return writeSlowly(
          res,
          200,
          { 'content-type': 'text/html' },
          '<!doctype html><title>Maintenance</title><p>Back soon.</p>',
          faults.slowBodyMs,
        );
      if (fault.kind === 'status') return send(res, { ...koreError(fault.status, fault.msg), headers: fault.headers }, faults.slowBodyMs);
      send(res, a as Answer, faults.slowBodyMs);
    });
  };
}
