import type { ChannelName } from './types.ts';

/**
 * Base of every delivery failure on a chat channel. Callers branch on `retryable` and `retryAfterMs` (or on the
 * subclass), never on message text. Messages name the URL with its token redacted, never the token or a secret.
 */
export class ChannelError extends Error {
  override name = 'ChannelError';
  constructor(
    message: string,
    readonly channel: ChannelName,
    /** The platform's result code (or the HTTP status for plain webhooks); `null` when there was no answer. */
    readonly code: number | null,
    /** The platform's message, or a description of the failure when there was none. */
    readonly detail: string,
    /** Whether sending the same message later can succeed. */
    readonly retryable: boolean,
    /** The least wait before that later attempt: short for transient failures, a block length for rate limits. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The platform refused the message for good (bad signature, keyword missing, token invalid, body too long…). */
export class ChannelRejectedError extends ChannelError {
  override name = 'ChannelRejectedError';
  constructor(channel: ChannelName, code: number, detail: string, explanation: string, target: string) {
    super(
      `${channel} rejected the message to ${target}: code ${code} (${explanation}): ${detail}`,
      channel,
      code,
      detail,
      false,
      0,
    );
  }
}

/** The robot went over its rate and is blocked; nothing sent to it before `retryAfterMs` can succeed. */
export class ChannelRateLimitedError extends ChannelError {
  override name = 'ChannelRateLimitedError';
  constructor(channel: ChannelName, code: number | null, detail: string, blockMs: number, target: string) {
    super(
      `${channel} rate-limited ${target}: ${describe(code, detail)}; blocked for ${Math.round(blockMs / 1000)} s`,
      channel,
      code,
      detail,
      true,
      blockMs,
    );
  }
}

/** A transient failure: the platform is busy, a 5xx or 429, or the request never got through. */
export class ChannelTransientError extends ChannelError {
  override name = 'ChannelTransientError';
  constructor(
    channel: ChannelName,
    code: number | null,
    detail: string,
    retryAfterMs: number,
    target: string,
  ) {
    super(
      `${channel} failed transiently at ${target}: ${describe(code, detail)}`,
      channel,
      code,
      detail,
      true,
      retryAfterMs,
    );
  }
}

/** An answer that is not the platform's (a proxy's 4xx, an HTML page, HTTP 200 without a result code). */
export class ChannelAnswerError extends ChannelError {
  override name = 'ChannelAnswerError';
  constructor(
    channel: ChannelName,
    /** The HTTP status received. */
    readonly status: number,
    detail: string,
    target: string,
  ) {
    super(`unexpected answer from ${channel} at ${target}: ${detail}`, channel, null, detail, false, 0);
  }
}

/**
 * The request was sent but no answer came in time. The platform may have delivered it, so it is not retried: a
 * duplicate would cost one of the robot's few messages a minute and repeat an alert.
 */
export class ChannelTimeoutError extends ChannelError {
  override name = 'ChannelTimeoutError';
  constructor(channel: ChannelName, timeoutMs: number, target: string) {
    const detail = `no answer within ${timeoutMs} ms; it may have been delivered`;
    super(`${channel} timed out at ${target}: ${detail}`, channel, null, detail, false, 0);
  }
}

/** The caller's deadline left no time to send; nothing was sent. */
export class ChannelDeadlineError extends ChannelError {
  override name = 'ChannelDeadlineError';
  constructor(channel: ChannelName, target: string) {
    super(
      `deadline reached before sending to ${channel} at ${target}`,
      channel,
      null,
      'deadline reached',
      true,
      0,
    );
  }
}

function describe(code: number | null, detail: string): string {
  return code === null ? detail : `code ${code}: ${detail}`;
}
