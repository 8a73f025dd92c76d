import type { Bundle } from '../../functions/bundle/index.ts';
import type { BatchResult } from '../../functions/pipeline/index.ts';
import { startDingtalkEmulator } from '../../emulators/dingtalk/index.ts';
import { startFeishuEmulator } from '../../emulators/feishu/index.ts';
import { startJsonServer } from '../../emulators/json-server/index.ts';
import { startWecomAppEmulator } from '../../emulators/wecom-app/index.ts';
import type { WecomEmulator } from '../../emulators/wecom/index.ts';
import { channelPreview } from '../preview-page/index.ts';
import type { PreviewFeed, PreviewRecord } from '../preview-page/index.ts';
import { localKey } from './robots.ts';

/** The other channels' receivers pointed at local emulators, and what the function needs to reach them. */
export interface ChannelRobots {
  bundle: Bundle;
  /** Webhook URLs and local stand-ins for the receivers' secrets, by the variable names the bundle now reads. */
  env: Record<string, string>;
  /** The emulators' `host:port`, for the allowed hosts. */
  hosts: string[];
  stop(): Promise<void>;
}

/**
 * Points every DingTalk, Feishu, WeCom application and generic webhook receiver at a local emulator of its platform,
 * started only for the channels the bundle uses, so `npm start` runs any bundle without secrets and never reaches a
 * real platform. Each receiver's secret is replaced by a local one the emulator checks, so signing, keywords and
 * rate limits behave as in production.
 */
export async function startChannelRobots(bundle: Bundle): Promise<ChannelRobots> {
  const env: Record<string, string> = {};
  const hosts: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const lazily = <T extends { url: string; close(): Promise<void> }>(start: () => Promise<T>) => {
    let started: Promise<T> | undefined;
    return () =>
      (started ??= start().then((emulator) => {
        hosts.push(new URL(emulator.url).host);
        stops.push(() => emulator.close());
        return emulator;
      }));
  };
  const dingtalk = lazily(() => startDingtalkEmulator());
  const feishu = lazily(() => startFeishuEmulator());
  const app = lazily(() => startWecomAppEmulator());
  const hook = lazily(() => startJsonServer(() => ({ body: { ok: true } })));

  const receivers: Bundle['receivers'] = {};
  let serial = 0;
  for (const [name, receiver] of Object.entries(bundle.receivers)) {
    serial++;
    const local = (value: string) => {
      const variable = `KUBE_WECOM_LOCAL_CHANNEL_${serial}_${Object.keys(env).length + 1}`;
      env[variable] = value;
      return `env:${variable}`;
    };
    const token = localKey(name);
    const secret = receiver.secret ? `SEC-local-${token}` : undefined;
    switch (receiver.channel) {
      case 'wecom':
        receivers[name] = receiver;
        break;
      case 'dingtalk':
      case 'feishu': {
        const emulator = await (receiver.channel === 'dingtalk' ? dingtalk() : feishu());
        emulator.addRobot({ token, ...(secret ? { secret } : {}), ...keywordsOf(receiver) });
        receivers[name] = withSecret(
          { ...receiver, webhook: local(emulator.webhookUrl(token)) },
          secret,
          local,
        );
        break;
      }
      case 'wecom-app': {
        const emulator = await app();
        const corpSecret = `local-${token}`;
        emulator.addApp({ corpId: receiver.corpId ?? '', corpSecret, agentId: receiver.agentId ?? 0 });
        receivers[name] = { ...receiver, webhook: emulator.url, corpSecret: local(corpSecret) };
        break;
      }
      case 'webhook': {
        const server = await hook();
        const headers = Object.fromEntries(
          Object.entries(receiver.headers ?? {}).map(([header, value]) => [
            header,
            /^(?:env|ssm):/.test(value) ? local('local') : value,
          ]),
        );
        receivers[name] = {
          ...receiver,
          webhook: local(`${server.url}/${token}`),
          allowedHosts: [new URL(server.url).host],
          headers,
        };
        break;
      }
    }
  }
  return {
    bundle: { ...bundle, receivers },
    env,
    hosts,
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}

function keywordsOf(receiver: Bundle['receivers'][string]): { keywords?: readonly string[] } {
  return receiver.keywords ? { keywords: receiver.keywords } : {};
}

function withSecret(
  receiver: Bundle['receivers'][string],
  secret: string | undefined,
  local: (value: string) => string,
): Bundle['receivers'][string] {
  return secret ? { ...receiver, secret: local(secret) } : receiver;
}

/**
 * The preview page's messages: the WeCom emulator's, and each message the function sent on another channel, in the
 * order they went out, shown in its receiver's column with the channel's name.
 */
export class ChannelFeed implements PreviewFeed {
  private readonly journal: PreviewRecord[];
  private readonly listeners = new Set<(message: PreviewRecord) => void>();
  private readonly stopWecom: () => void;

  constructor(
    emulator: WecomEmulator,
    private readonly clock: () => number = Date.now,
  ) {
    this.journal = [...emulator.messages()];
    this.stopWecom = emulator.onMessage((message) => this.add(message));
  }

  /** Adds the messages a batch sent on the other channels. */
  record(result: BatchResult): void {
    for (const outcome of result.outcomes) {
      const { message } = outcome.planned;
      if (outcome.status !== 'sent' || !message.channel) continue;
      const { msgtype, payload } = channelPreview(message.channel.name, message.body);
      this.add({
        key: localKey(message.receiver),
        msgtype,
        payload,
        body: message.body,
        receivedAt: this.clock(),
        channel: `${message.channel.name} ${message.channel.msgtype}`,
      });
    }
  }

  messages(): PreviewRecord[] {
    return [...this.journal];
  }

  onMessage(listener: (message: PreviewRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.stopWecom();
    this.listeners.clear();
  }

  private add(message: PreviewRecord): void {
    this.journal.push(message);
    for (const listener of this.listeners) listener(message);
  }
}
