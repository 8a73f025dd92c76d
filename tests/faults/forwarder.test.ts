import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../helpers/wait-for.ts';
import { RATE, assertAccounted, runScenario, traffic } from './scenario.ts';

describe('fault: forwarder', () => {
  it('restarts after SIGKILL mid-batch from the checkpoint; replays only the last checkpoint interval', async () => {
    const result = await runScenario({
      name: 'forwarder SIGKILL mid-batch and restart',
      forwarders: async (p) => void (await p.startForwarderProcess()),
      fault: async (p) => {
        const writing = traffic(p, 4000);
        await sleep(1000);
        // SIGKILL while a SendMessageBatch is on the wire: SQS gets it, the forwarder never hears back.
        await p.throttle.nextBatch();
        const running = p.forwarderProcesses.at(-1)!;
        running.child.kill('SIGKILL');
        assert.equal(await running.exited, 'SIGKILL');
        const killedAt = Date.now();
        await p.startForwarderProcess();
        await writing;
        return killedAt;
      },
    });
    // The process checkpoints every 5 s, so a restart may resend up to 5 s of notified events (at-least-once).
    assertAccounted(result, 5 * RATE);
  });

  it('hands over to the standby when the leader dies, resending at most the last checkpoint interval', async () => {
    const lease = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 };
    const result = await runScenario({
      name: 'leader killed, standby takes over',
      forwarders: async (p) => {
        await Promise.all([p.startReplica('replica-a', lease), p.startReplica('replica-b', lease)]);
        await waitFor('a leader', () => p.replicas.some((r) => r.forwarder.status().role === 'leader'));
        const leader = p.replicas.find((r) => r.forwarder.status().role === 'leader')!;
        await waitFor('the leader to be ready', () => leader.forwarder.status().ready);
      },
      fault: async (p) => {
        const writing = traffic(p, 4000);
        await sleep(1000);
        const leader = p.replicas.find((r) => r.forwarder.status().role === 'leader')!;
        const standby = p.replicas.find((r) => r !== leader)!;
        await leader.kill();
        const killedAt = Date.now();
        await waitFor('the standby to lead', () => standby.forwarder.status().role === 'leader', 15_000);
        await waitFor('the new leader to be ready', () => standby.forwarder.status().ready, 15_000);
        await writing;
        return killedAt;
      },
    });
    // Checkpoints every 500 ms: the new leader resends what the old one sent after its last checkpoint.
    assertAccounted(result, RATE);
  });
});
