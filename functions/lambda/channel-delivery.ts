import type { Receiver } from '../bundle/index.ts';
import type { ChannelClientOptions } from '../channels/delivery/index.ts';
import { DingtalkClient } from '../channels/dingtalk/index.ts';
import type { DingtalkBody } from '../channels/dingtalk/index.ts';
import { FeishuClient } from '../channels/feishu/index.ts';
import type { FeishuBody } from '../channels/feishu/index.ts';
import { WebhookClient, checkWebhookHeaders } from '../channels/webhook/index.ts';
import { WecomAppClient } from '../channels/wecom-app/index.ts';
import type { WecomAppBody } from '../channels/wecom-app/index.ts';
import type { WebhookResolver } from '../channels/wecom/index.ts';

/** The receiver channels this module delivers to: every one but WeCom group robots. */
export type OtherChannel = Exclude<Receiver['channel'], 'wecom'>;

/**
 * Delivery to the channels besides WeCom group robots: each receiver's body goes to its channel's client, signed
 * with its secret, with its credentials or headers, all resolved once per cold start from `env:`/`ssm:`
 * references. One request per call: retrying and waiting are the shared budget's and the pipeline's.
 */
export class ChannelDelivery {
  private readonly dingtalk: DingtalkClient;
  private readonly feishu: FeishuClient;
  private readonly wecomApp: WecomAppClient;
  private readonly webhook: WebhookClient;
  private readonly secrets = new Map<string, Promise<string>>();

  constructor(
    private readonly resolver: Pick<WebhookResolver, 'resolveSecret'>,
    options: ChannelClientOptions = {},
  ) {
    this.dingtalk = new DingtalkClient(options);
    this.feishu = new FeishuClient(options);
    this.wecomApp = new WecomAppClient(options);
    this.webhook = new WebhookClient(options);
  }

  /**
   * What names the robot a message to `url` spends the budget of (hashed by the caller, never stored as is): the
   * application for WeCom apps, since their limit counts per application; else the robot's URL.
   */
  robotOf(receiver: Receiver & { channel: OtherChannel }, url: string): string {
    return receiver.channel === 'wecom-app'
      ? `wecom-app\n${url}\n${receiver.corpId}\n${receiver.agentId}`
      : `${receiver.channel}\n${url}`;
  }

  /** Sends one rendered body; throws the channel's `ChannelError` (or a `WebhookRefError` for a secret). */
  async send(
    receiver: Receiver & { channel: OtherChannel },
    url: string,
    body: Record<string, unknown>,
    deadline: number,
  ): Promise<void> {
    switch (receiver.channel) {
      case 'dingtalk':
        await this.dingtalk.send(url, body as unknown as DingtalkBody, {
          deadline,
          ...(await this.secretOf(receiver.secret)),
        });
        return;
      case 'feishu':
        await this.feishu.send(url, body as unknown as FeishuBody, {
          deadline,
          ...(await this.secretOf(receiver.secret)),
        });
        return;
      case 'wecom-app':
        await this.wecomApp.send(url, body as unknown as WecomAppBody, {
          deadline,
          credentials: {
            corpId: receiver.corpId ?? '',
            corpSecret: await this.resolve(receiver.corpSecret ?? ''),
          },
        });
        return;
      case 'webhook': {
        const headers = await this.headersOf(receiver.headers ?? {});
        await this.webhook.send(
          url,
          { method: receiver.method ?? 'POST', headers, body: JSON.stringify(body) },
          { deadline, allowedHosts: receiver.allowedHosts ?? [] },
        );
        return;
      }
    }
  }

  private async secretOf(ref: string | undefined): Promise<{ secret?: string }> {
    return ref === undefined ? {} : { secret: await this.resolve(ref) };
  }

  /** Header values that are references are resolved; literal ones (a content type) are kept. */
  private async headersOf(headers: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const entries = await Promise.all(
      Object.entries(headers).map(async ([name, value]) => [name, await this.headerValue(value)] as const),
    );
    return checkWebhookHeaders(Object.fromEntries(entries));
  }

  private headerValue(value: string): Promise<string> | string {
    return value.startsWith('env:') || value.startsWith('ssm:') ? this.resolve(value) : value;
  }

  /** Each reference is resolved once; a failure is forgotten, so the next message tries again. */
  private resolve(ref: string): Promise<string> {
    let secret = this.secrets.get(ref);
    if (!secret) {
      secret = this.resolver.resolveSecret(ref);
      secret.catch(() => this.secrets.delete(ref));
      this.secrets.set(ref, secret);
    }
    return secret;
  }
}
