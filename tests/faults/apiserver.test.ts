import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccounted, runScenario, scaled, traffic } from './scenario.ts';

/** Runs `action` every `everyMs` while `write` writes traffic. */
async function repeatedly(everyMs: number, action: () => void, write: () => Promise<void>) {
  const timer = setInterval(action, everyMs);
  try {
    await write();
  } finally {
    clearInterval(timer);
  }
}

describe('fault: kube-apiserver', () => {
  it('resumes every dropped watch (every 2 s) from its resourceVersion without losing or repeating events', async () => {
    const period = Math.max(10_000, scaled(60_000));
    const result = await runScenario({
      name: `watches dropped every 2 s for ${period / 1000} s`,
      fault: async (p) => {
        const before = p.fake.requests.filter((r) => r.query.watch === 'true').length;
        await repeatedly(
          2000,
          () => p.fake.dropWatches(),
          () => traffic(p, period),
        );
        const watches = p.fake.requests.filter((r) => r.query.watch === 'true').length - before;
        assert.ok(watches >= 4, `the forwarder re-watched ${watches} times`);
        return Date.now();
      },
    });
    assertAccounted(result);
  });

  it('relists through a 410 storm, forwarding what changed and nothing it already sent', async () => {
    const period = Math.max(5000, scaled(30_000));
    const result = await runScenario({
      name: `410 storm for ${period / 1000} s`,
      fault: async (p) => {
        const storm = () => {
          p.fake.compact();
          p.fake.dropWatches();
        };
        await repeatedly(300, storm, () => traffic(p, period));
        return Date.now();
      },
    });
    // A relist returns only each event's latest state, so counts written between two lists are coalesced into a
    // later one (as Kubernetes itself does); the selector's delivered set keeps relists from repeating events.
    assertAccounted(result);
  });
});
