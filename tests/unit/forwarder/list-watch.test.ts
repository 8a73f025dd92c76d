import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeApi, WireObject } from '../../../forwarder/kube/index.ts';
import { ListWatch } from '../../../forwarder/watch/index.ts';
import type { RestartReason } from '../../../forwarder/watch/index.ts';
import { manualTime, settle } from '../../helpers/manual-time.ts';

/** A Kubernetes API whose list answers at resourceVersion 10, and whose watches the test ends by hand. */
function fakeKube() {
  const watches: Array<{ resourceVersion: string; end: (err?: unknown) => void }> = [];
  const kube = {
    async list() {
      return { items: [{ metadata: { name: 'e1', resourceVersion: '10' } }], resourceVersion: '10' };
    },
    async watch(
      _resource: unknown,
      params: { resourceVersion?: string },
      _onEvent: unknown,
      done: (err: unknown) => void,
    ) {
      watches.push({ resourceVersion: params.resourceVersion ?? '', end: (err) => done(err) });
      return { abort: () => done(undefined) };
    },
  } as unknown as KubeApi;
  return { kube, watches };
}

function listWatch(kube: KubeApi, time: ReturnType<typeof manualTime>, restarts: RestartReason[]) {
  const listed: WireObject[][] = [];
  const watch = new ListWatch({
    kube,
    resource: 'events.v1',
    handler: { onList: (items) => void listed.push(items), onEvent() {}, onBookmark() {} },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    backoff: { initialMs: 1000, maxMs: 8000 },
    watchTimeoutSeconds: 300,
    healthyAfterMs: 10_000,
    onRestart: (reason) => void restarts.push(reason),
    clock: time,
    timer: time,
  });
  return { watch, listed };
}

describe('ListWatch on an injected clock and timer', () => {
  it('lists, watches from the list’s resourceVersion, and after a failure reconnects from it once the backoff has passed', async () => {
    const time = manualTime();
    const { kube, watches } = fakeKube();
    const restarts: RestartReason[] = [];
    const { watch, listed } = listWatch(kube, time, restarts);
    await watch.start();
    assert.equal(listed.length, 1);
    assert.deepEqual(
      watches.map((w) => w.resourceVersion),
      ['10'],
    );

    watches[0]!.end(new Error('connection reset'));
    await settle();
    assert.deepEqual(restarts, ['error']);
    // The first retry waits between half and all of the initial 1000 ms.
    await time.advance(499);
    assert.equal(watches.length, 1, 'still backing off');
    await time.advance(501);
    assert.deepEqual(
      watches.map((w) => w.resourceVersion),
      ['10', '10'],
    );
    assert.equal(listed.length, 1, 'a reconnect resumes; it does not list again');
    await watch.stop();
  });

  it('reconnects at once after a quiet watch that stayed open long enough to count as healthy', async () => {
    const time = manualTime();
    const { kube, watches } = fakeKube();
    const restarts: RestartReason[] = [];
    const { watch } = listWatch(kube, time, restarts);
    await watch.start();
    await time.advance(10_000);
    watches[0]!.end();
    await settle();
    assert.deepEqual(restarts, ['closed']);
    assert.equal(watches.length, 2, 'no backoff after a healthy watch');

    // This one closes at once: not healthy, so the next waits for the backoff.
    watches[1]!.end();
    await settle();
    assert.equal(watches.length, 2);
    await time.advance(1000);
    assert.equal(watches.length, 3);
    await watch.stop();
  });
});
