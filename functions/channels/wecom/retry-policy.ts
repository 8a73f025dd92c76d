import { ERRCODE_RATE_LIMITED, explainErrcode } from './errcodes.ts';
import type { HttpOutcome } from '../delivery/index.ts';

/** How one attempt ended, as far as delivery is concerned. This is the one place retryability is decided. */
export type Verdict =
  | { kind: 'delivered'; errmsg: string; suspicious: boolean }
  | {
      kind: 'retry';
      errcode: number | null;
      errmsg: string;
      /** 45009: the robot is blocked for about a minute; waiting less is pointless. */
      rateLimited: boolean;
      /** A server-requested minimum wait (HTTP 429/503 `Retry-After`). */
      minDelayMs: number;
    }
  | { kind: 'rejected'; errcode: number; errmsg: string }
  | { kind: 'not-wecom'; status: number; description: string }
  | { kind: 'maybe-delivered' };

/** Backoff shape: attempt n waits a uniformly random time in [0, min(capMs, baseMs·2^(n-1))] ("full jitter"). */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Full-jitter exponential backoff, so that many Lambda instances retrying together spread out. */
export function backoffDelay(attempt: number, backoff: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Judges one attempt. Success needs HTTP 200 *and* `errcode === 0`: WeCom reports every failure inside a 200.
 * Network failures are retried when the request never reached the server, and also on connection resets (a
 * kept-alive socket closed while the Lambda was frozen is the usual cause). A timeout after the whole request was
 * written is not retried: WeCom may already have delivered it.
 */
export function judge(outcome: HttpOutcome): Verdict {
  if (outcome.kind === 'no-answer') {
    if (outcome.timedOut && outcome.sent) return { kind: 'maybe-delivered' };
    return {
      kind: 'retry',
      errcode: null,
      errmsg: `${outcome.code}: ${outcome.message}`,
      rateLimited: false,
      minDelayMs: 0,
    };
  }
  const { status, data } = outcome;
  const minDelayMs = (outcome.retryAfterSeconds ?? 0) * 1000;
  if (status !== 200) {
    if (RETRYABLE_STATUS(status)) {
      return { kind: 'retry', errcode: null, errmsg: `HTTP ${status}`, rateLimited: false, minDelayMs };
    }
    return { kind: 'not-wecom', status, description: `HTTP ${status}` };
  }
  if (!isWecomAnswer(data)) {
    return { kind: 'not-wecom', status, description: 'HTTP 200 without a WeCom errcode in the body' };
  }
  const errmsg = typeof data.errmsg === 'string' ? data.errmsg : '';
  if (data.errcode === 0) return { kind: 'delivered', errmsg, suspicious: /warning/i.test(errmsg) };
  if (explainErrcode(data.errcode).retryable) {
    return {
      kind: 'retry',
      errcode: data.errcode,
      errmsg,
      rateLimited: data.errcode === ERRCODE_RATE_LIMITED,
      minDelayMs: 0,
    };
  }
  return { kind: 'rejected', errcode: data.errcode, errmsg };
}

function isWecomAnswer(data: unknown): data is { errcode: number; errmsg?: unknown } {
  return (
    typeof data === 'object' && data !== null && Number.isInteger((data as { errcode?: unknown }).errcode)
  );
}
