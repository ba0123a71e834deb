import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Redaction is a second line of defence: nothing should log a token or
 * secret in the first place, but if a header object ever slips into a log line, these paths are masked.
 */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'engagement-graph' },
      redact: {
        paths: ['*.authorization', '*.auth', '*.headers.authorization', '*.headers.auth', '*.clientSecret', '*.token', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
