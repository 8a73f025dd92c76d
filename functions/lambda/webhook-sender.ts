import type { Bundle } from '../bundle/index.ts';
import type { MessageSender } from '../pipeline/index.ts';
import type { RenderedMessage } from '../render/index.ts';
import type { WebhookResolver, WecomClient } from '../channels/wecom/index.ts';

/**
 * Sends rendered messages to their receivers' robots. Each receiver's webhook reference is resolved once per
 * cold start (SSM in batches) and the promise cached; a reference that cannot be resolved fails only that
 * receiver's messages, with the resolver's verdict on whether trying again can help.
 */
export class WebhookSender implements MessageSender {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly bundle: Bundle,
    private readonly resolver: WebhookResolver,
    private readonly client: WecomClient,
  ) {}

  /** Resolves every receiver's webhook up front, so the first batch does not pay SSM round trips one by one. */
  warmUp(): void {
    const refs = Object.values(this.bundle.receivers).map((receiver) => receiver.webhook);
    const all = this.resolver.resolveAll(refs);
    all.catch(() => undefined);
    for (const [name, receiver] of Object.entries(this.bundle.receivers)) {
      const url = all.then(
        (map) => map.get(receiver.webhook)!,
        () => this.resolver.resolve(receiver.webhook),
      );
      url.catch(() => this.urls.delete(name));
      this.urls.set(name, url);
    }
  }

  async send(message: RenderedMessage, options: { deadline: number }): Promise<{ attempts: number }> {
    const receiver = this.bundle.receivers[message.receiver]!;
    let url = this.urls.get(message.receiver);
    if (!url) {
      url = this.resolver.resolve(receiver.webhook);
      this.urls.set(message.receiver, url);
      // A failed resolution (SSM throttled) is forgotten, so the next batch tries again.
      url.catch(() => this.urls.delete(message.receiver));
    }
    const result = await this.client.send(await url, message.body, {
      deadline: options.deadline,
      maxMessagesPerMinute: receiver.maxMessagesPerMinute,
    });
    return { attempts: result.attempts };
  }
}
