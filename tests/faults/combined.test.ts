import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../helpers/wait-for.ts';
import { RATE, assertAccounted, runScenario, scaled, traffic } from './scenario.ts';

describe('faults combined', () => {
  it('survives every fault at once: SQS outage and throttling, WeCom 45009/5xx/resets, dropped watches, a leader death and function crashes', async () => {
    const outage = scaled(60_000);
    const lease = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 };
    const result = await runScenario({
      name: 'combined',
      forwarders: async (p) => {
        await Promise.all([p.startReplica('replica-a', lease), p.startReplica('replica-b', lease)]);
        await waitFor('a ready leader', () =>
          p.replicas.some((r) => r.forwarder.status().role === 'leader' && r.forwarder.status().ready),
        );
      },
      fault: async (p) => {
        const dropping = setInterval(() => p.fake.dropWatches(), 2000);
        const removers = [
          p.wecom.inject({ kind: 'http-status', status: 503, probability: 0.1 }),
          p.wecom.inject({ kind: 'reset', probability: 0.1 }),
        ];
        p.throttle.rate = 0.3;
        p.crash = { afterDeliveries: 1, times: 2 };
        try {
          const writing = traffic(p, outage + 6000);
          await sleep(1000);
          const remove45009 = p.wecom.inject({ kind: 'errcode', errcode: 45009 });
          const blockedUntil = p.clock.now() + scaled(180_000);
          await p.sqsRelay.down();
          await sleep(outage);
          await p.sqsRelay.up();
          await waitFor('the 45009 window to pass', () => p.clock.now() >= blockedUntil, 60_000);
          remove45009();
          const leader = p.replicas.find((r) => r.forwarder.status().role === 'leader')!;
          await leader.kill();
          await writing;
        } finally {
          clearInterval(dropping);
          for (const remove of removers) remove();
          p.throttle.rate = 0;
          p.crash = undefined;
        }
        return Date.now();
      },
    });
    // Bounded by what each fault may repeat on its own: two crashed batches, a batch whose deletes the outage cut
    // off, a batch redelivered after 5xx retries ran out, and a leader's last checkpoint interval.
    assertAccounted(result, 2 * 10 + 10 + 10 + RATE);
  });
});
