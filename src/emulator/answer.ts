import type http from 'node:http';
import { writeSlowly } from './faults';

/**
 * What the emulator sends: a status, a JSON body and extra headers. Every refusal uses Kore.ai's
 * error body, `{ errors: [{ msg, code }] }`, where `code` is Kore's own (4002 for auth failures),
 * not always the HTTP status.
 */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export const koreError = (status: number, msg: string, code: number = status): Answer => ({ status, body: { errors: [{ msg, code }] } });

/** Sends an answer as JSON; with `slowBodyMs`, half the body, a pause, then the rest. */
export function send(res: http.ServerResponse, a: Answer, slowBodyMs = 0): void {
  const body = JSON.stringify(a.body);
  writeSlowly(
    res,
    a.status,
    { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...a.headers },
    body,
    slowBodyMs,
  );
}
