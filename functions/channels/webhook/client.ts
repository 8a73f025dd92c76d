import {
  ChannelSender,
  type ChannelClientOptions,
  type ChannelSendOptions,
  type ChannelSendResult,
} from '../delivery/index.ts';
import type { WebhookRequest } from './request.ts';

/** Options of one webhook send. */
export interface WebhookSendOptions extends ChannelSendOptions {
  /** The bundle's explicit allow-list of webhook hosts (`host[:port]`); a webhook may go nowhere else. */
  allowedHosts: readonly string[];
}

/**
 * Sends to a generic webhook (kube-eventer's `webhook` sink): success is any 2xx; 408, 429 and 5xx are transient
 * (honouring `Retry-After`); any other status is permanent. There is no official endpoint: every host must be
 * allowed, by the bundle or the deployment.
 */
export class WebhookClient extends ChannelSender {
  constructor(options: ChannelClientOptions = {}) {
    super(
      // Any endpoint: no body convention to read, the HTTP status alone decides.
      {
        channel: 'webhook',
        readAnswer: () => undefined,
        errcodes: new Map(),
        lookUp: '',
        bareSuccess: true,
        blockMs: 0,
      },
      [],
      options,
    );
  }

  send(url: string, request: WebhookRequest, options: WebhookSendOptions): Promise<ChannelSendResult> {
    return this.sendOnce(url, { ...request, url }, options.deadline, options.allowedHosts);
  }
}
