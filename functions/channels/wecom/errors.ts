import { explainErrcode } from './errcodes.ts';

/**
 * Base of every WeCom delivery failure. Callers branch on `retryable` (report the SQS message as failed so it is
 * redelivered) or on the subclass, never on message text. No error here ever carries the webhook key: messages use
 * the redacted webhook, and the raw HTTP error is not attached as `cause` because axios errors embed the full URL.
 */
export class WecomError extends Error {
  override name = 'WecomError';
  constructor(
    message: string,
    /** WeCom's errcode, or `null` when WeCom gave no answer (network error, timeout, HTTP error, bad webhook). */
    readonly errcode: number | null,
    /** WeCom's errmsg, or a description of the failure when there was no answer. */
    readonly errmsg: string,
    /** Whether delivering the same message later can succeed. */
    readonly retryable: boolean,
    /** HTTP requests made before giving up (0 when none was sent). */
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** WeCom answered with a permanent errcode (40008, 44004, 40058, unknown codes…): sending again will not help. */
export class WecomRejectedError extends WecomError {
  override name = 'WecomRejectedError';
  constructor(errcode: number, errmsg: string, attempts: number, webhook: string) {
    super(
      `WeCom rejected the message to ${webhook}: errcode ${errcode} (${explainErrcode(errcode).meaning}): ${errmsg}`,
      errcode,
      errmsg,
      false,
      attempts,
    );
  }
}

/** 93000/93004/93008: the robot's key is wrong, or the robot is disabled or gone; nothing sent to it will arrive. */
export class WecomRobotUnavailableError extends WecomRejectedError {
  override name = 'WecomRobotUnavailableError';
}

/** An HTTP answer that is not a WeCom answer (a 4xx from a proxy, HTTP 200 without an errcode). */
export class WecomHttpError extends WecomError {
  override name = 'WecomHttpError';
  constructor(
    /** The HTTP status received. */
    readonly status: number,
    description: string,
    attempts: number,
    webhook: string,
  ) {
    super(`unexpected answer from ${webhook}: ${description}`, null, description, false, attempts);
  }
}

/**
 * The request was fully sent but no answer came in time. WeCom may have delivered it, so it is not retried: a
 * duplicate would cost one of the robot's 20 messages a minute and repeat an alert in the group (see `WecomClient`).
 */
export class WecomResponseTimeoutError extends WecomError {
  override name = 'WecomResponseTimeoutError';
  constructor(timeoutMs: number, attempts: number, webhook: string) {
    const errmsg = `no answer within ${timeoutMs} ms after the request was sent; it may have been delivered`;
    super(`WeCom timed out at ${webhook}: ${errmsg}`, null, errmsg, false, attempts);
  }
}

/** Transient failures (network, 5xx, 429, -1, 45009) persisted through every allowed attempt. Retry later. */
export class WecomRetriesExhaustedError extends WecomError {
  override name = 'WecomRetriesExhaustedError';
  constructor(errcode: number | null, errmsg: string, attempts: number, webhook: string) {
    super(
      `gave up on ${webhook} after ${attempts} attempts; last failure: ${describe(errcode, errmsg)}`,
      errcode,
      errmsg,
      true,
      attempts,
    );
  }
}

/** The caller's deadline left no time for the next attempt or wait. Retry later (SQS redelivery). */
export class WecomDeadlineError extends WecomError {
  override name = 'WecomDeadlineError';
  constructor(
    /** What the client would have had to wait for: a retry backoff, the rate limit, or a 45009 block. */
    readonly waitingFor: 'retry' | 'rate-limit',
    errcode: number | null,
    errmsg: string,
    attempts: number,
    webhook: string,
  ) {
    super(
      `deadline reached sending to ${webhook} (waiting for ${waitingFor}) after ${attempts} attempts` +
        (errcode !== null || attempts > 0 ? `; last failure: ${describe(errcode, errmsg)}` : ''),
      errcode,
      errmsg,
      true,
      attempts,
    );
  }
}

/** The webhook URL is malformed or points at a host that is not allowed; nothing was sent. */
export class WecomWebhookError extends WecomError {
  override name = 'WecomWebhookError';
  constructor(reason: string) {
    super(reason, null, reason, false, 0);
  }
}

/** A receiver's webhook reference (`env:NAME`, `ssm:/path`) could not be resolved; the secret is never included. */
export class WebhookRefError extends WecomError {
  override name = 'WebhookRefError';
  constructor(
    /** The reference as written in the bundle (a variable name or parameter path, not a secret). */
    readonly ref: string,
    reason: string,
    retryable: boolean,
  ) {
    super(`cannot resolve webhook ${ref}: ${reason}`, null, reason, retryable, 0);
  }
}

/**
 * Why SSM did not give a webhook, so a caller can say what to set up without reading message text. Only a network
 * failure, throttling and a server error are worth retrying: a missing region, missing or refused credentials, a
 * denied permission or a missing parameter stay missing until someone sets them up.
 */
export type SsmFailure =
  | 'no-region'
  | 'no-credentials'
  | 'credentials-rejected'
  | 'access-denied'
  | 'parameter-not-found'
  | 'unreachable'
  | 'throttled'
  | 'server-error'
  | 'unexpected';

const TRANSIENT_SSM_FAILURES: ReadonlySet<SsmFailure> = new Set(['unreachable', 'throttled', 'server-error']);

/** An `ssm:/path` webhook reference could not be read; `failure` says what is missing. */
export class SsmWebhookError extends WebhookRefError {
  override name = 'SsmWebhookError';
  constructor(
    ref: string,
    /** What went wrong, as a category a caller can act on. */
    readonly failure: SsmFailure,
    reason: string,
  ) {
    super(ref, reason, TRANSIENT_SSM_FAILURES.has(failure));
  }
}

function describe(errcode: number | null, errmsg: string): string {
  return errcode === null ? errmsg : `errcode ${errcode}: ${errmsg}`;
}
