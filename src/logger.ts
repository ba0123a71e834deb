import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Redaction is a second line of defence: nothing should log a token or
 * secret in the first place, but if a header object ever slips into a log line, these paths are masked.
 */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  // Pretty output is a synchronous stream in this process (no worker thread), for people at a terminal.
  const stream = destination ?? (format === 'pretty' ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }) : undefined);
  return pino(
    {
      level,
      base: { service: 'engagement-graph' },
      redact: {
        paths: ['*.authorization', '*.auth', '*.headers.authorization', '*.headers.auth', '*.clientSecret', '*.token', '*.password'],
        censor: '[redacted]',
      },
    },
    stream,
  );
}
