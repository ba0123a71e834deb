import { EngagementError } from './classes';
import type { UpstreamErrorCode } from './codes';

/**
 * A failed upstream call, already mapped (see upstream/errors.ts). The message is ours, never the
 * upstream's; `status` is kept for logs only and is not sent.
 */
export class UpstreamError extends EngagementError {
  constructor(
    code: UpstreamErrorCode,
    message: string,
    readonly status: number | undefined,
    extensions: Record<string, unknown> = {},
  ) {
    super(code, message, extensions);
    this.name = 'UpstreamError';
  }
}
