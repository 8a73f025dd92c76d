import { createHash } from 'node:crypto';
import {
  ChannelAnswerError,
  ChannelRejectedError,
  ChannelSender,
  ChannelTokenExpiredError,
  JSON_HEADERS,
  readErrcodeAnswer,
  redactUrl,
  type ChannelClientOptions,
  type ChannelSendOptions,
  type ChannelSendResult,
  type Delivered,
} from '../delivery/index.ts';
import type { WecomAppBody } from './bodies.ts';
import { ERRCODE_UNTRUSTED_IP, WECOM_APP_ERRCODES, WECOM_APP_LOOKUP } from './errcodes.ts';
import { WecomAppUntrustedIpError } from './errors.ts';
import { WECOM_APP_LIMITS } from './limits.ts';
import { AccessTokenCache, type FetchedToken } from './token-cache.ts';

/** WeCom's API origin; `gettoken` and `message/send` live under `/cgi-bin/`. */
export const WECOM_API_BASE = 'https://qyapi.weixin.qq.com';

/** An application's credentials: kube-eventer's `corp_id` and `corp_secret`, already resolved from references. */
export interface WecomAppCredentials {
  corpId: string;
  corpSecret: string;
}

/** Options of one application-message send. */
export interface WecomAppSendOptions extends ChannelSendOptions {
  credentials: WecomAppCredentials;
}

/** An accepted application message; WeCom still reports recipients it could not reach. */
export interface WecomAppSendResult extends ChannelSendResult {
  invalidUsers: string[];
  invalidParties: string[];
}

const OFFICIAL = [{ origin: WECOM_API_BASE, pathPrefix: '/cgi-bin/' }];

/** Refresh tokens 5 minutes early: WeCom's clock and ours differ, and a send may queue behind the budget. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * Sends WeCom application messages (kube-eventer's `wechat` sink): fetches an access token with `gettoken`, caches
 * it until shortly before it expires, and sends with `message/send`; when WeCom says the token expired or is
 * invalid (42001, 40014) it fetches a new one and sends once more. 60020 throws `WecomAppUntrustedIpError`.
 *
 * @example
 * const client = new WecomAppClient();
 * await client.send(WECOM_API_BASE, buildWecomAppBody('text', content, { agentId: 1000002 }), {
 *   deadline: Date.now() + 10_000,
 *   credentials: { corpId, corpSecret },
 * });
 */
export class WecomAppClient extends ChannelSender {
  private readonly tokens = new AccessTokenCache(TOKEN_MARGIN_MS);

  constructor(options: ChannelClientOptions = {}) {
    super(
      {
        channel: 'wecom-app',
        readAnswer: readErrcodeAnswer,
        errcodes: WECOM_APP_ERRCODES,
        lookUp: WECOM_APP_LOOKUP,
        bareSuccess: false,
        blockMs: WECOM_APP_LIMITS.blockMs,
      },
      OFFICIAL,
      options,
    );
  }

  async send(apiBase: string, body: WecomAppBody, options: WecomAppSendOptions): Promise<WecomAppSendResult> {
    const sendUrl = new URL('/cgi-bin/message/send', apiBase).toString();
    const key = cacheKey(apiBase, options.credentials);
    const request = { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) };
    try {
      for (let attempt = 1; ; attempt++) {
        const token = await this.tokens.get(key, this.context.clock(), () =>
          this.fetchToken(apiBase, options.credentials, options.deadline),
        );
        const url = `${sendUrl}?access_token=${encodeURIComponent(token)}`;
        try {
          return toResult(await this.exchange(sendUrl, { ...request, url }, options.deadline));
        } catch (err) {
          // One fresh token is enough: a second refusal means something else is wrong.
          if (!(err instanceof ChannelTokenExpiredError) || attempt > 1) throw err;
          this.tokens.invalidate(key, token);
        }
      }
    } catch (err) {
      if (err instanceof ChannelRejectedError && err.code === ERRCODE_UNTRUSTED_IP) {
        throw new WecomAppUntrustedIpError(err.detail, redactUrl(sendUrl));
      }
      throw err;
    }
  }

  private async fetchToken(
    apiBase: string,
    credentials: WecomAppCredentials,
    deadline: number,
  ): Promise<FetchedToken> {
    const url = new URL('/cgi-bin/gettoken', apiBase);
    url.searchParams.set('corpid', credentials.corpId);
    url.searchParams.set('corpsecret', credentials.corpSecret);
    const { status, data } = await this.exchange(
      url.toString(),
      { method: 'GET', url: url.toString(), headers: {} },
      deadline,
    );
    const { access_token: token, expires_in: expiresIn } = data as {
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (typeof token !== 'string' || token.length === 0 || typeof expiresIn !== 'number') {
      throw new ChannelAnswerError(
        'wecom-app',
        status,
        'gettoken answered errcode 0 without access_token and expires_in',
        redactUrl(url.toString()),
      );
    }
    return { token, expiresInMs: expiresIn * 1000 };
  }
}

// Two receivers with the same corp but different applications (secrets) need different tokens; the secret itself is
// not kept as a map key.
function cacheKey(apiBase: string, credentials: WecomAppCredentials): string {
  const secret = createHash('sha256').update(credentials.corpSecret).digest('hex');
  return `${apiBase}\n${credentials.corpId}\n${secret}`;
}

function toResult({ status, code, message, data }: Delivered): WecomAppSendResult {
  const { invaliduser, invalidparty } = data as { invaliduser?: unknown; invalidparty?: unknown };
  return {
    status,
    code,
    message,
    invalidUsers: splitIds(invaliduser),
    invalidParties: splitIds(invalidparty),
  };
}

function splitIds(value: unknown): string[] {
  return typeof value === 'string' && value.length > 0 ? value.split('|') : [];
}
