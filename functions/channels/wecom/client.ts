import { setTimeout as delay } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { ROBOT_MESSAGES_PER_MINUTE } from './limits.ts';
import { ROBOT_UNAVAILABLE_ERRCODES } from './errcodes.ts';
import {
  WecomDeadlineError,
  WecomHttpError,
  WecomRejectedError,
  WecomResponseTimeoutError,
  WecomRetriesExhaustedError,
  WecomRobotUnavailableError,
} from './errors.ts';
import { RobotRateLimiter } from './rate-limiter.ts';
import { backoffDelay, judge, type BackoffOptions } from './retry-policy.ts';
import { axiosPoster, JSON_HEADERS, LATE_SLOT_MS, type HttpPoster } from '../delivery/index.ts';
import { silentLogger, type Clock, type Logger, type Sleep } from '../../ports.ts';
import type { SendGate, SendOptions, SendResult } from './types.ts';
import { checkWebhookUrl, scrubKey, type WebhookTarget } from './webhook-url.ts';

/** Construction options of `WecomClient`; every one has a production default. */
export interface WecomClientOptions {
  /** The axios instance to POST with (default: a fresh one). */
  http?: AxiosInstance;
  clock?: Clock;
  sleep?: Sleep;
  /** Uniform [0, 1) source for backoff jitter. */
  random?: () => number;
  /** Extra allowed webhook hosts (`host[:port]`), typically `allowedHostsFromEnv()`; never from the rules bundle. */
  allowedHosts?: readonly string[];
  logger?: Logger;
  /** Per-request timeout in ms (default 5000); also capped by the time left before the deadline. */
  requestTimeoutMs?: number;
  /** Most HTTP requests per message, including the first (default 5). */
  maxAttempts?: number;
  /** Retry backoff (default base 250 ms, cap 8 s). */
  backoff?: BackoffOptions;
  /** Wait after a 45009 before the next request to that robot (default 61 s: WeCom's ~60 s block plus clock skew). */
  rateLimitBlockMs?: number;
  /** Window of the per-robot budget (default 61 s: WeCom's minute plus clock skew). */
  rateWindowMs?: number;
}

/**
 * Delivers messages to WeCom group robots. Success means HTTP 200 and `errcode === 0`; transient failures (network
 * errors before the request got through, connection resets, HTTP 5xx/408/429, errcode -1) are retried with
 * full-jitter exponential backoff, 45009 waits for the robot's block to end, and nothing waits past the caller's
 * deadline. A response timeout after the request was sent is *not* retried, because WeCom may have delivered it:
 * we prefer one possibly lost message (reported as `WecomResponseTimeoutError`) to duplicates eating the robot's
 * 20-per-minute budget. Each robot gets a per-process budget of `maxMessagesPerMinute`. The webhook key never
 * appears in logs or errors.
 *
 * @example
 * const client = new WecomClient({ allowedHosts: allowedHostsFromEnv(), logger });
 * await client.send(url, { msgtype: 'text', text: { content: 'hi' } }, { deadline: Date.now() + 10_000 });
 */
export class WecomClient {
  private readonly post: HttpPoster;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly allowedHosts: readonly string[];
  private readonly logger: Logger;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly rateLimitBlockMs: number;
  private readonly limiter: RobotRateLimiter;

  constructor(options: WecomClientOptions = {}) {
    this.post = axiosPoster(options.http ?? axios.create());
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
    this.allowedHosts = options.allowedHosts ?? [];
    this.logger = options.logger ?? silentLogger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoff = options.backoff ?? { baseMs: 250, capMs: 8000 };
    this.rateLimitBlockMs = options.rateLimitBlockMs ?? 61_000;
    this.limiter = new RobotRateLimiter(options.rateWindowMs ?? 61_000);
  }

  /** POSTs `body` (serialized with `JSON.stringify`) to the robot; resolves once WeCom accepted it, else throws a `WecomError`. */
  async send(webhookUrl: string, body: object, options: SendOptions): Promise<SendResult> {
    const target = checkWebhookUrl(webhookUrl, this.allowedHosts);
    const limit = Math.min(
      options.maxMessagesPerMinute ?? ROBOT_MESSAGES_PER_MINUTE,
      ROBOT_MESSAGES_PER_MINUTE,
    );
    const payload = JSON.stringify(body);
    let last: { errcode: number | null; errmsg: string } = { errcode: null, errmsg: 'no attempt was made' };

    const gate = options.gate ?? this.localGate(target.robotId, limit);
    for (let attempt = 1; ; attempt++) {
      if (!(await this.awaitSlot(gate, options.deadline, target))) {
        throw this.deadlineError('rate-limit', last, attempt - 1, target);
      }
      const timeoutMs = Math.min(this.requestTimeoutMs, options.deadline - this.clock());
      if (timeoutMs <= 0) throw this.deadlineError('rate-limit', last, attempt - 1, target);

      const verdict = judge(
        await this.post({ method: 'POST', url: target.url, headers: JSON_HEADERS, body: payload, timeoutMs }),
      );
      if (verdict.kind === 'delivered') {
        const fields = {
          webhook: target.redacted,
          attempts: attempt,
          errmsg: scrubKey(verdict.errmsg, target.key),
        };
        if (verdict.suspicious)
          this.logger.warn(
            'WeCom answered errcode 0 with a warning; the message may not show as sent',
            fields,
          );
        else this.logger.debug('WeCom accepted the message', fields);
        return { attempts: attempt, errcode: 0, errmsg: fields.errmsg };
      }
      if (verdict.kind === 'rejected') {
        const errmsg = scrubKey(verdict.errmsg, target.key);
        this.logAttempt(target, attempt, verdict.errcode, errmsg, 'rejected');
        const Rejected = ROBOT_UNAVAILABLE_ERRCODES.has(verdict.errcode)
          ? WecomRobotUnavailableError
          : WecomRejectedError;
        throw new Rejected(verdict.errcode, errmsg, attempt, target.redacted);
      }
      if (verdict.kind === 'not-wecom') {
        this.logAttempt(target, attempt, null, verdict.description, 'rejected');
        throw new WecomHttpError(verdict.status, verdict.description, attempt, target.redacted);
      }
      if (verdict.kind === 'maybe-delivered') {
        this.logAttempt(
          target,
          attempt,
          null,
          `no answer within ${timeoutMs} ms`,
          'maybe delivered, not retried',
        );
        throw new WecomResponseTimeoutError(timeoutMs, attempt, target.redacted);
      }

      last = { errcode: verdict.errcode, errmsg: scrubKey(verdict.errmsg, target.key) };
      if (attempt >= this.maxAttempts) {
        this.logAttempt(target, attempt, last.errcode, last.errmsg, 'giving up');
        throw new WecomRetriesExhaustedError(last.errcode, last.errmsg, attempt, target.redacted);
      }
      const now = this.clock();
      if (verdict.rateLimited) {
        // The next slot lies after the block, or there is none before the deadline.
        await gate.block(now + this.rateLimitBlockMs);
        this.logAttempt(
          target,
          attempt,
          last.errcode,
          last.errmsg,
          'robot blocked, waiting',
          this.rateLimitBlockMs,
        );
        continue;
      }
      const backoffMs = Math.max(verdict.minDelayMs, backoffDelay(attempt, this.backoff, this.random));
      if (now + backoffMs >= options.deadline) {
        this.logAttempt(target, attempt, last.errcode, last.errmsg, 'deadline reached');
        throw this.deadlineError('retry', last, attempt, target);
      }
      this.logAttempt(target, attempt, last.errcode, last.errmsg, 'retrying', backoffMs);
      await this.sleep(backoffMs);
    }
  }

  /**
   * Waits for the gate's next slot; false when there is none before the deadline. A slot this process reached
   * more than `LATE_SLOT_MS` late (a stalled event loop) is given up for a fresh one: the budget spaces slots a
   * window plus a margin apart, and a send that late could land inside the window of the send that frees its slot.
   */
  private async awaitSlot(gate: SendGate, deadline: number, target: WebhookTarget): Promise<boolean> {
    for (;;) {
      const slot = await gate.next(this.clock(), deadline);
      if (slot === null) return false;
      const wait = slot - this.clock();
      if (wait > 0) {
        this.logger.debug('waiting for the robot rate limit', { webhook: target.redacted, waitMs: wait });
        await this.sleep(wait);
      }
      const late = this.clock() - slot;
      if (late <= LATE_SLOT_MS) return true;
      this.logger.warn('reached a send slot late; taking a fresh one', {
        webhook: target.redacted,
        lateMs: late,
      });
    }
  }

  /** The robot's name for budgets: host and key, so the same robot has one budget however its URL is spelled. */
  robotOf(webhookUrl: string): string {
    return checkWebhookUrl(webhookUrl, this.allowedHosts).robotId;
  }

  /** Slots from this process's own window for the robot, for callers without a shared budget (`send-test`). */
  private localGate(robotId: string, limit: number): SendGate {
    return {
      next: async (now, latest) => this.limiter.reserve(robotId, now, limit, latest),
      block: async (until) => this.limiter.block(robotId, until),
    };
  }

  private logAttempt(
    target: WebhookTarget,
    attempt: number,
    errcode: number | null,
    errmsg: string,
    outcome: string,
    delayMs?: number,
  ): void {
    this.logger.warn(`WeCom send attempt failed (${outcome})`, {
      webhook: target.redacted,
      attempt,
      errcode,
      errmsg,
      outcome,
      ...(delayMs === undefined ? {} : { delayMs }),
    });
  }

  private deadlineError(
    waitingFor: 'retry' | 'rate-limit',
    last: { errcode: number | null; errmsg: string },
    attempts: number,
    target: WebhookTarget,
  ): WecomDeadlineError {
    return new WecomDeadlineError(waitingFor, last.errcode, last.errmsg, attempts, target.redacted);
  }
}
