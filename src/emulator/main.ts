import { ConfigError, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, loadEmulatorConfig, type EmulatorConfig } from '../config';
import { startEmulator } from './emulator.server';
import { DEMO_BOTS } from './world';

/** `npm run emulator`: the built-in Kore-compatible upstream on its own (EMULATOR_* in config/emulator.ts). */
async function main(): Promise<void> {
  let settings: EmulatorConfig;
  try {
    settings = loadEmulatorConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`emulator: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const emulator = await startEmulator(
    {
      apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }],
      faults: settings.faults,
      rateLimit: settings.rateLimit,
    },
    settings.port,
    settings.host,
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
