import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Redaction is a second line of defence: nothing should log a token or
 * secret in the first place, but if a header object ever slips into a log line, these paths are masked.
 */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  // Pretty output is a synchronous stream in this process (no worker thread), for people at a terminal.
  // JSON goes to stdout asynchronously: under load, lines written while one write is in flight are
  // joined into the next (one syscall for many lines); when quiet, each line goes out at once.
  // Pending lines are flushed synchronously when the process exits.
  const stream =
    destination ??
    (format === 'pretty' ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }) : pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level,
      base: { service: 'engagement-graph' },
      redact: {
        // Explicit paths: leading wildcards (`*.x`) cost on every line, and this runs on every operation.
        paths: [
          'authorization',
          'auth',
          'token',
          'password',
          'clientSecret',
          'headers.authorization',
          'headers.auth',
          'req.headers.authorization',
          'err.config.headers.auth',
          'err.config.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
}
