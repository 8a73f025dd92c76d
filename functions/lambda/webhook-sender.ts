import type { BudgetLedger, RobotId, RobotPolicy } from '../budget/index.ts';
import { ROBOT_POLICIES, robotIdOf } from '../budget/index.ts';
import type { Bundle } from '../bundle/index.ts';
import type { SendGate, WebhookResolver, WecomClient } from '../channels/wecom/index.ts';
import type { Grant, MessageSender, SendSlot } from '../pipeline/index.ts';
import type { RenderedMessage } from '../render/index.ts';

export interface WebhookSenderOptions {
  bundle: Bundle;
  /** Narrow ports, so `report` can replay with the real budget and no robot keys. */
  resolver: Pick<WebhookResolver, 'resolve' | 'resolveAll'>;
  client: Pick<WecomClient, 'robotOf' | 'send'>;
  /** The shared per-robot budget. */
  ledger: BudgetLedger;
  /** How far ahead a reserved slot may lie (default 3 s): a short wait in the sender, never a long one. */
  maxWaitMs?: number;
}

/**
 * Sends rendered messages to their receivers' robots, within the shared per-robot budget. Each receiver's
 * webhooks (its `webhook` and its robot `pool`) are resolved once per cold start (SSM in batches) and the promises
 * cached; a reference that cannot be resolved fails only that receiver's messages, with the resolver's verdict on
 * whether trying again can help. A receiver's slots come from all its robots, so a pool of n robots sends up to
 * n × 20 messages a minute, spread over them.
 */
export class WebhookSender implements MessageSender {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly bundle: Bundle;
  private readonly resolver: WebhookSenderOptions['resolver'];
  private readonly client: WebhookSenderOptions['client'];
  private readonly ledger: BudgetLedger;
  private readonly maxWaitMs: number;

  constructor(options: WebhookSenderOptions) {
    this.bundle = options.bundle;
    this.resolver = options.resolver;
    this.client = options.client;
    this.ledger = options.ledger;
    this.maxWaitMs = options.maxWaitMs ?? 3_000;
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
    const policy = policyOf(receiver.maxMessagesPerMinute);
    const robots = await Promise.all(refs.map((ref) => this.robotOf(ref)));
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
    const robot = robotIdOf(this.client.robotOf(url));
    const result = await this.client.send(url, message.body, {
      deadline: options.deadline,
      gate: this.gate(robot, policyOf(receiver.maxMessagesPerMinute), options.slot.at),
    });
    return { attempts: result.attempts };
  }

  /** The reserved slot for the first attempt; a retry reserves one more, a few seconds ahead at most. */
  private gate(robot: RobotId, policy: RobotPolicy, first: number): SendGate {
    let reserved: number | undefined = first;
    return {
      next: async (now, latest) => {
        if (reserved !== undefined) {
          const at = reserved;
          reserved = undefined;
          return at <= latest ? at : null;
        }
        const maxWaitMs = Math.min(this.maxWaitMs, latest - now);
        if (maxWaitMs < 0) return null;
        const { slots } = await this.ledger.reserve({ robot, policy, wanted: 1, now, maxWaitMs });
        return slots[0] ?? null;
      },
      block: (until) => this.ledger.block({ robot, until }),
    };
  }

  private async robotOf(ref: string): Promise<RobotId | undefined> {
    try {
      return robotIdOf(this.client.robotOf(await this.urlOf(ref)));
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

/**
 * WeCom's policy, with the receiver's own per-minute limit (it may ask for fewer than the robot allows), and half
 * of it per half minute: in a storm, one batch taking the whole minute's budget would leave every later event to
 * wait a minute; spread over two half-minutes, a summary goes out at least every thirty seconds, while a lone
 * incident still gets half the minute's messages at once.
 */
function policyOf(perMinute: number): RobotPolicy {
  const { windows, blockMs } = ROBOT_POLICIES.wecom;
  const minute = windows[0].windowMs;
  return {
    windows: [
      { limit: perMinute, windowMs: minute },
      { limit: Math.ceil(perMinute / 2), windowMs: minute / 2 },
    ],
    blockMs,
  };
}
