import { checkEndpoint, type OfficialEndpoint } from './endpoint.ts';
import {
  deliver,
  deliveryContext,
  type ChannelClientOptions,
  type ChannelProtocol,
  type Delivered,
  type DeliveryContext,
} from './deliver.ts';
import type { HttpRequest } from './poster.ts';
import type { ChannelSendResult } from './types.ts';

/** The headers of a JSON request. */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

/**
 * What every channel client does around its own request: check the URL against the platform's endpoints and the
 * allowed hosts, send once within the deadline, and judge the answer with the channel's protocol.
 */
export abstract class ChannelSender {
  protected readonly context: DeliveryContext;
  private readonly allowedHosts: readonly string[];

  protected constructor(
    private readonly protocol: ChannelProtocol,
    private readonly official: readonly OfficialEndpoint[],
    options: ChannelClientOptions,
  ) {
    this.context = deliveryContext(options);
    this.allowedHosts = options.allowedHosts ?? [];
  }

  /**
   * Sends `request` once, after checking `checkedUrl` (the URL before signing or tokens were added, so errors never
   * show them); `extraHosts` adds hosts allowed for this request only (a bundle's webhook allow-list).
   */
  protected async exchange(
    checkedUrl: string,
    request: Omit<HttpRequest, 'timeoutMs'>,
    deadline: number,
    extraHosts: readonly string[] = [],
  ): Promise<Delivered> {
    const hosts = extraHosts.length > 0 ? [...this.allowedHosts, ...extraHosts] : this.allowedHosts;
    const target = checkEndpoint(this.protocol.channel, checkedUrl, this.official, hosts);
    return deliver(this.protocol, this.context, request, target, deadline);
  }

  /** `exchange`, answering only what every channel reports. */
  protected async sendOnce(
    checkedUrl: string,
    request: Omit<HttpRequest, 'timeoutMs'>,
    deadline: number,
    extraHosts?: readonly string[],
  ): Promise<ChannelSendResult> {
    const { status, code, message } = await this.exchange(checkedUrl, request, deadline, extraHosts);
    return { status, code, message };
  }
}
