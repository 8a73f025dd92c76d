import { explainCode, type ErrcodeTable } from './errcodes.ts';
import {
  ChannelAnswerError,
  ChannelDeadlineError,
  ChannelError,
  ChannelRateLimitedError,
  ChannelRejectedError,
  ChannelTimeoutError,
  ChannelTransientError,
} from './errors.ts';
import { axiosPoster, type HttpOutcome, type HttpPoster, type HttpRequest } from './poster.ts';
import type { ChannelName, Clock } from './types.ts';

/** A platform's result code and message, read from its answer body. */
export interface PlatformAnswer {
  code: number;
  message: string;
}

/** How a channel's answers are read: the per-channel part of delivery. */
export interface ChannelProtocol {
  channel: ChannelName;
  /** The result code in an answer body, or undefined when the body carries none. */
  readAnswer(data: unknown): PlatformAnswer | undefined;
  errcodes: ErrcodeTable;
  /** Where an operator can look up a code the table does not know. */
  lookUp: string;
  /** Whether a 2xx without a result code is success (plain webhooks) or a foreign answer (robots, APIs). */
  bareSuccess: boolean;
  /** The wait after a rate-limited answer: the platform's block length. */
  blockMs: number;
}

/** How the clients send: injected, so tests pin time and never touch the network. */
export interface DeliveryContext {
  poster: HttpPoster;
  clock: Clock;
  /** Per-request timeout, further capped by the time left before the deadline. */
  requestTimeoutMs: number;
}

/** Construction options shared by the channel clients; every one has a production default. */
export interface ChannelClientOptions {
  /** Sends the HTTP requests (default: `axiosPoster()`). */
  poster?: HttpPoster;
  clock?: Clock;
  /** Per-request timeout in ms (default 5000); also capped by the time left before the deadline. */
  requestTimeoutMs?: number;
  /** Extra allowed hosts (`host[:port]`) besides the platform's own, e.g. an emulator; never from the rules bundle. */
  allowedHosts?: readonly string[];
}

/** The delivery context of a client built with `options`. */
export function deliveryContext(options: ChannelClientOptions): DeliveryContext {
  return {
    poster: options.poster ?? axiosPoster(),
    clock: options.clock ?? Date.now,
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
  };
}

/** An accepted message: the answer, and its whole body for channels that report partial results in it. */
export interface Delivered {
  status: number;
  code: number;
  message: string;
  data: unknown;
}

/** The access token of a WeCom application expired or is invalid (42001, 40014): fetch a new one, send again. */
export class ChannelTokenExpiredError extends ChannelError {
  override name = 'ChannelTokenExpiredError';
  constructor(channel: ChannelName, code: number, detail: string, target: string) {
    super(
      `${channel} refused the access token at ${target}: code ${code}: ${detail}`,
      channel,
      code,
      detail,
      true,
      0,
    );
  }
}

/** Without a `Retry-After`, a transient failure is worth trying again after about a second. */
const TRANSIENT_RETRY_MS = 1000;

/**
 * Sends one request and judges the answer: resolves when the platform accepted the message, throws a typed
 * `ChannelError` otherwise. It never retries by itself: the caller (the shared robot budget, SQS redelivery)
 * decides from `retryable` and `retryAfterMs`. `target` is the redacted URL used in errors.
 */
export async function deliver(
  protocol: ChannelProtocol,
  context: DeliveryContext,
  request: Omit<HttpRequest, 'timeoutMs'>,
  target: string,
  deadline: number,
): Promise<Delivered> {
  const timeoutMs = Math.min(context.requestTimeoutMs, deadline - context.clock());
  if (timeoutMs <= 0) throw new ChannelDeadlineError(protocol.channel, target);
  return judge(protocol, await context.poster({ ...request, timeoutMs }), timeoutMs, target);
}

function judge(
  protocol: ChannelProtocol,
  outcome: HttpOutcome,
  timeoutMs: number,
  target: string,
): Delivered {
  const { channel } = protocol;
  if (outcome.kind === 'no-answer') {
    // Only a request that went out may have been acted on; a connect or lookup that hung can simply be retried.
    if (outcome.timedOut && outcome.sent) throw new ChannelTimeoutError(channel, timeoutMs, target);
    throw new ChannelTransientError(
      channel,
      null,
      `${outcome.code}: ${outcome.message}`,
      TRANSIENT_RETRY_MS,
      target,
    );
  }
  const { status, data } = outcome;
  const retryAfterMs = outcome.retryAfterSeconds === undefined ? undefined : outcome.retryAfterSeconds * 1000;
  const answer = protocol.readAnswer(data);
  if (answer) {
    const info = explainCode(protocol.errcodes, answer.code, protocol.lookUp);
    switch (info.outcome) {
      case 'ok':
        return { status, code: answer.code, message: answer.message, data };
      case 'retry':
        throw new ChannelTransientError(
          channel,
          answer.code,
          answer.message,
          retryAfterMs ?? TRANSIENT_RETRY_MS,
          target,
        );
      case 'rate-limited':
        throw new ChannelRateLimitedError(channel, answer.code, answer.message, protocol.blockMs, target);
      case 'token':
        throw new ChannelTokenExpiredError(channel, answer.code, answer.message, target);
      case 'permanent':
        throw new ChannelRejectedError(channel, answer.code, answer.message, info.meaning, target);
    }
  }
  if (status >= 200 && status < 300) {
    if (protocol.bareSuccess) return { status, code: status, message: `HTTP ${status}`, data };
    throw new ChannelAnswerError(channel, status, `HTTP ${status} without a ${channel} result code`, target);
  }
  if (status === 429) {
    throw new ChannelRateLimitedError(
      channel,
      status,
      `HTTP 429`,
      retryAfterMs ?? Math.max(protocol.blockMs, TRANSIENT_RETRY_MS),
      target,
    );
  }
  if (status === 408 || status >= 500) {
    throw new ChannelTransientError(
      channel,
      status,
      `HTTP ${status}`,
      retryAfterMs ?? TRANSIENT_RETRY_MS,
      target,
    );
  }
  throw new ChannelAnswerError(channel, status, `HTTP ${status}`, target);
}
