import { setTimeout as delay } from 'node:timers/promises';
import type { BudgetLedger, RobotId, RobotPolicy } from '../budget/index.ts';
import { robotIdOf } from '../budget/index.ts';
import type { Bundle, Receiver } from '../bundle/index.ts';
import {
  ChannelDeadlineError,
  ChannelRateLimitedError,
  LATE_SLOT_MS,
  redactUrl,
} from '../channels/delivery/index.ts';
import type { SendGate, WebhookResolver, WecomClient } from '../channels/wecom/index.ts';
import type { Grant, MessageSender, SendSlot } from '../pipeline/index.ts';
import type { RenderedMessage } from '../render/index.ts';
import type { Clock } from '../ports.ts';
import { ChannelDelivery, type OtherChannel } from './channel-delivery.ts';
import { policyOf } from './robot-policy.ts';

export interface WebhookSenderOptions {
  bundle: Bundle;
  /** Narrow ports, so `report` can replay with the real budget and no robot keys. */
  resolver: Pick<WebhookResolver, 'resolve' | 'resolveAll' | 'resolveSecret'>;
  client: Pick<WecomClient, 'robotOf' | 'send'>;
  /** Delivery to the other channels (DingTalk, Feishu, WeCom applications, generic webhooks); default: to their platforms. */
  channels?: ChannelDelivery;
  /** The shared per-robot budget. */
  ledger: BudgetLedger;
  /** How far ahead a reserved slot may lie (default 3 s): a short wait in the sender, never a long one. */
  maxWaitMs?: number;
  /** Waits for a reserved slot on the other channels (WeCom's client waits by itself); default a timer. */
  sleep?: (ms: number) => Promise<unknown>;
  clock?: Clock;
}

/**
 * Sends rendered messages to their receivers' robots, within the shared per-robot budget. Each receiver's
 * webhooks (its `webhook` and its robot `pool`) are resolved once per cold start (SSM in batches) and the promises
 * cached; a reference that cannot be resolved fails only that receiver's messages, with the resolver's verdict on
 * whether trying again can help. A receiver's slots come from all its robots, so a pool of n robots sends up to
 * n × 20 messages a minute, spread over them. Every channel spends the same shared budget, with its platform's
 * windows and block length; the WeCom client handles group robots, `ChannelDelivery` the other channels.
 */
export class WebhookSender implements MessageSender {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly bundle: Bundle;
  private readonly resolver: WebhookSenderOptions['resolver'];
  private readonly client: WebhookSenderOptions['client'];
  private readonly channels: ChannelDelivery;
  private readonly ledger: BudgetLedger;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly clock: Clock;

  constructor(options: WebhookSenderOptions) {
    this.bundle = options.bundle;
    this.resolver = options.resolver;
    this.client = options.client;
    this.channels = options.channels ?? new ChannelDelivery(options.resolver);
    this.ledger = options.ledger;
    this.maxWaitMs = options.maxWaitMs ?? 3_000;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.clock = options.clock ?? Date.now;
  }

  /** Resolves every webhook up front, so the first batch does not pay SSM round trips one by one. */
  warmUp(): void {
    const refs = [...new Set(Object.values(this.bundle.receivers).flatMap(webhooksOf))];
    const all = this.resolver.resolveAll(refs);
    all.catch(() => undefined);
    for (const ref of refs) {
      const url = all.then(
        (map) => map.get(ref)!,
        () => this.resolver.resolve(ref),
      );
      // A failed resolution (SSM throttled) is forgotten, so the next batch tries again.
      url.catch(() => this.urls.delete(ref));
      this.urls.set(ref, url);
    }
  }

  async reserve(receiverName: string, wanted: number, now: number): Promise<Grant> {
    const receiver = this.bundle.receivers[receiverName]!;
    const refs = webhooksOf(receiver);
    const policy = policyOf(receiver);
    const robots = await Promise.all(refs.map((ref) => this.robotOf(receiver, ref)));
    if (robots.some((robot) => robot === undefined)) {
      // A webhook that does not resolve gets no budget: its sends fail with the resolver's verdict, using none.
      return {
        slots: Array.from({ length: wanted }, () => ({ webhook: 0, at: now })),
        nextFreeAt: now,
        source: 'table',
      };
    }
    // Spread the wanted slots over the pool; each robot is asked only for its share, so none is reserved idle.
    const shares = refs.map((_, i) => Math.floor(wanted / refs.length) + (i < wanted % refs.length ? 1 : 0));
    const reservations = await Promise.all(
      robots.map((robot, i) =>
        shares[i]! === 0
          ? undefined
          : this.ledger.reserve({
              robot: robot!,
              policy,
              wanted: shares[i]!,
              now,
              maxWaitMs: this.maxWaitMs,
            }),
      ),
    );
    const slots: SendSlot[] = [];
    let nextFreeAt = Number.POSITIVE_INFINITY;
    let source: Grant['source'] = 'table';
    reservations.forEach((reservation, webhook) => {
      if (!reservation) return;
      for (const at of reservation.slots) slots.push({ webhook, at });
      nextFreeAt = Math.min(nextFreeAt, reservation.nextFreeAt);
      if (reservation.source === 'local') source = 'local';
    });
    slots.sort((a, b) => a.at - b.at);
    return { slots, nextFreeAt: Number.isFinite(nextFreeAt) ? nextFreeAt : now, source };
  }

  async send(
    message: RenderedMessage,
    options: { deadline: number; slot: SendSlot },
  ): Promise<{ attempts: number }> {
    const receiver = this.bundle.receivers[message.receiver]!;
    const url = await this.urlOf(webhooksOf(receiver)[options.slot.webhook]!);
    if (isOtherChannel(receiver)) {
      await this.sendOther(receiver, url, message, options);
      return { attempts: 1 };
    }
    const robot = robotIdOf(this.client.robotOf(url));
    const result = await this.client.send(url, message.body, {
      deadline: options.deadline,
      gate: this.gate(robot, policyOf(receiver), options.slot.at),
    });
    return { attempts: result.attempts };
  }

  /**
   * One request in the reserved slot. A slot past the deadline is a wait for budget, like WeCom's; a robot the
   * platform blocked (DingTalk's 130101 for 10 minutes) is blocked in the shared budget too, so no invocation
   * spends a request on it before the block ends.
   */
  private async sendOther(
    receiver: Receiver & { channel: OtherChannel },
    url: string,
    message: RenderedMessage,
    { deadline, slot }: { deadline: number; slot: SendSlot },
  ): Promise<void> {
    const robot = robotIdOf(this.channels.robotOf(receiver, url));
    // A slot reserved before the robot was blocked (by an earlier message of this batch) is given up too.
    if (slot.at > deadline || slot.at < this.ledger.blockedUntil(robot)) {
      throw new ChannelDeadlineError(receiver.channel, redactUrl(url));
    }
    const wait = slot.at - this.clock();
    if (wait > 0) await this.sleep(wait);
    // Reached too late (a stalled event loop), the slot could overlap the window of the send that frees it; the
    // message waits for a fresh one instead, as the WeCom client's does.
    if (this.clock() - slot.at > LATE_SLOT_MS)
      throw new ChannelDeadlineError(receiver.channel, redactUrl(url));
    try {
      await this.channels.send(receiver, url, message.body, deadline);
    } catch (err) {
      if (err instanceof ChannelRateLimitedError) {
        await this.ledger.block({ robot, until: this.clock() + err.retryAfterMs });
      }
      throw err;
    }
  }

  /** The reserved slot for the first attempt; a retry reserves one more, a few seconds ahead at most. */
  private gate(robot: RobotId, policy: RobotPolicy, first: number): SendGate {
    let reserved: number | undefined = first;
    return {
      next: async (now, latest) => {
        // A slot reserved before the robot was blocked (45009 on an earlier message of this batch) is given up.
        if (reserved !== undefined && reserved >= this.ledger.blockedUntil(robot)) {
          const at = reserved;
          reserved = undefined;
          return at <= latest ? at : null;
        }
        reserved = undefined;
        const maxWaitMs = Math.min(this.maxWaitMs, latest - now);
        if (maxWaitMs < 0) return null;
        const { slots } = await this.ledger.reserve({ robot, policy, wanted: 1, now, maxWaitMs });
        return slots[0] ?? null;
      },
      block: (until) => this.ledger.block({ robot, until }),
    };
  }

  private async robotOf(receiver: Receiver, ref: string): Promise<RobotId | undefined> {
    try {
      const url = await this.urlOf(ref);
      if (isOtherChannel(receiver)) return robotIdOf(this.channels.robotOf(receiver, url));
      return robotIdOf(this.client.robotOf(url));
    } catch {
      return undefined;
    }
  }

  private urlOf(ref: string): Promise<string> {
    let url = this.urls.get(ref);
    if (!url) {
      url = this.resolver.resolve(ref);
      this.urls.set(ref, url);
      url.catch(() => this.urls.delete(ref));
    }
    return url;
  }
}

function webhooksOf(receiver: Bundle['receivers'][string]): string[] {
  return [receiver.webhook, ...(receiver.pool ?? [])];
}

function isOtherChannel(receiver: Receiver): receiver is Receiver & { channel: OtherChannel } {
  return receiver.channel !== 'wecom';
}
