import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, int } from '../config';
import { startEmulator } from './emulator.server';
import { parseFaults } from './faults';
import { DEMO_BOTS } from './world';

/** `npm run emulator`: the built-in Kore-compatible upstream on its own (EMULATOR_PORT, default 4010). */
async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 4010);
  const faults = process.env.EMULATOR_FAULTS ? parseFaults(JSON.parse(process.env.EMULATOR_FAULTS)) : undefined;
  // Kore.ai's documented limits by default; benchmarks raise them to measure the server, not the limiter.
  const perMinute = int(process.env, 'EMULATOR_RATE_PER_MINUTE', 60, 1, Number.MAX_SAFE_INTEGER);
  const perHour = int(process.env, 'EMULATOR_RATE_PER_HOUR', 1800, 1, Number.MAX_SAFE_INTEGER);
  const emulator = await startEmulator(
    { apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }], faults, rateLimit: { perMinute, perHour } },
    port,
    process.env.EMULATOR_HOST ?? '127.0.0.1',
  );
  process.stdout.write(
    [
      `Kore-compatible User Engagement Trend emulator at ${emulator.url}`,
      `  v2: POST ${emulator.url}/api/public/bot/{botId}/v2/userEngagementTrend`,
      `  v1: POST ${emulator.url}/api/public/bot/{botId}/userEngagementTrend`,
      `  demo bots: ${DEMO_BOTS.map((b) => b.id).join(', ')}`,
      `  fault switches: GET/PUT/DELETE ${emulator.url}/emulator/faults`,
      `  sign HS256 JWTs with appId=${DEMO_CLIENT_ID} and secret ${DEMO_CLIENT_SECRET}`,
      '',
    ].join('\n'),
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
