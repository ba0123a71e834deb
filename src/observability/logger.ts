import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Redaction is a second line of defence: nothing should log a token or
 * secret in the first place, but if a header object ever slips into a log line, these paths are masked.
 */
export function createLogger(
  level: pino.LevelWithSilent,
  destination?: pino.DestinationStream,
  format: 'json' | 'pretty' = 'json',
): Logger {
  // Pretty output is a synchronous stream in this process (no worker thread), for people at a terminal.
  return pino(
    options(level),
    destination ??
      (format === 'pretty'
        ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' })
        : jsonStdout()),
  );
}

/** Lines are at most this late on stdout. */
export const LOG_FLUSH_MS = 200;

/**
 * JSON to stdout, buffered: lines collect in memory and go out in one write when 4 KB are waiting
 * or every LOG_FLUSH_MS, whichever comes first (a write per line cost every request a system
 * call: BENCHMARKS.md). Pending lines are written synchronously when the process exits.
 */
function jsonStdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      clearInterval(timer); // the stream was destroyed (stdout closed): nothing left to flush
    }
  }, LOG_FLUSH_MS).unref();
  return stream;
}

function options(level: pino.LevelWithSilent): pino.LoggerOptions {
  return {
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
  };
}
