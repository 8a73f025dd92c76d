import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeApiError, MalformedWatchLineError, openWatchStream } from '../../../forwarder/kube/index.ts';
import type { KubeApi, WatchEventType, WireObject } from '../../../forwarder/kube/index.ts';
import { ListWatch, MAX_RESUME_REFUSALS } from '../../../forwarder/watch/list-watch.ts';
import type { RestartReason } from '../../../forwarder/watch/list-watch.ts';

type Emit = (type: WatchEventType | string, object: unknown) => void;
/** One watch call's script: emit lines, then end the stream (`end(err)`), or throw to refuse the watch. */
type WatchScript = (rv: string, emit: Emit, end: (err?: unknown) => void) => void;

/** A KubeApi whose list answers one page and whose watches follow `scripts`, one per call, the last repeated. */
function scriptedKube(scripts: WatchScript[], calls: { lists: number; watches: string[] }): KubeApi {
  return {
    list: () => {
      calls.lists++;
      return Promise.resolve({ items: [], resourceVersion: '500' });
    },
    watch: (_resource, params, onEvent, done) => {
      calls.watches.push(params.resourceVersion);
      const script = scripts[Math.min(calls.watches.length - 1, scripts.length - 1)]!;
      try {
        script(
          params.resourceVersion,
          (type, object) => onEvent(type as WatchEventType, object as WireObject),
          (err) => setImmediate(() => done(err)),
        );
      } catch (err) {
        return Promise.reject(err);
      }
      return Promise.resolve({ abort: () => done(undefined) });
    },
  } as Partial<KubeApi> as KubeApi;
}

const quiet = pino({ level: 'silent' });
const event = (rv: string): WireObject => ({
  kind: 'Event',
  metadata: { name: `e${rv}`, resourceVersion: rv },
});

function watchWith(scripts: WatchScript[], resumeFrom?: string) {
  const calls = { lists: 0, watches: [] as string[] };
  const seen: string[] = [];
  const restarts: RestartReason[] = [];
  let malformed = 0;
  const watch = new ListWatch({
    kube: scriptedKube(scripts, calls),
    resource: 'events.v1',
    logger: quiet,
    backoff: { initialMs: 1, maxMs: 2 },
    watchTimeoutSeconds: 60,
    ...(resumeFrom ? { resumeFrom } : {}),
    onRestart: (reason) => void restarts.push(reason),
    onMalformedLine: () => void malformed++,
    handler: {
      onList: () => undefined,
      onEvent: (type, object) => void seen.push(`${type} ${object.metadata?.resourceVersion}`),
      onBookmark: () => undefined,
    },
  });
  return { watch, calls, seen, restarts, malformed: () => malformed };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), what);
}

describe('the watch survives any line', () => {
  it('skips and counts an event with a null or non-object object, and an unknown type, and keeps reading', async () => {
    const run = watchWith([
      (_rv, emit) => {
        emit('ADDED', null);
        emit('MODIFIED', 'text');
        emit('DELETED', [1]);
        emit('SURPRISE', event('501'));
        emit('ADDED', event('502'));
      },
    ]);
    await run.watch.start();
    await until(() => run.seen.length === 1, 'the good event after the bad ones');
    await run.watch.stop();
    assert.deepEqual(run.seen, ['ADDED 502']);
    assert.equal(run.malformed(), 4);
  });

  it('ends the stream on an ERROR with a null object, counts it, and reconnects from the last resourceVersion', async () => {
    const run = watchWith([
      (_rv, emit, end) => {
        emit('ADDED', event('501'));
        emit('ERROR', null);
        end();
      },
      (_rv, emit) => emit('ADDED', event('502')),
    ]);
    await run.watch.start();
    await until(() => run.seen.length === 2, 'the event after the reconnect');
    await run.watch.stop();
    assert.deepEqual(run.calls.watches.slice(0, 2), ['500', '501']);
    assert.equal(run.malformed(), 1);
    assert.ok(run.restarts.includes('error'));
  });

  it('gives up a checkpoint resourceVersion the server keeps refusing, and lists again instead of retrying forever', async () => {
    const run = watchWith(
      [
        (rv) => {
          if (rv === 'edited-by-hand') throw new KubeApiError(400, 'invalid resource version', 'BadRequest');
        },
      ],
      'edited-by-hand',
    );
    await run.watch.start();
    await until(() => run.calls.lists === 1, 'a list after the refusals');
    await until(() => run.calls.watches.at(-1) === '500', 'a watch from the list');
    await run.watch.stop();
    assert.equal(run.calls.watches.filter((rv) => rv === 'edited-by-hand').length, MAX_RESUME_REFUSALS);
    assert.deepEqual(
      run.restarts.filter((reason) => reason === 'rejected'),
      ['rejected'],
    );
  });

  it('keeps a checkpoint resourceVersion the server refused once, transiently, then accepted', async () => {
    const run = watchWith(
      [
        () => {
          throw new KubeApiError(503, 'unavailable', 'ServiceUnavailable');
        },
        (_rv, emit) => emit('ADDED', event('601')),
      ],
      '600',
    );
    await run.watch.start();
    await until(() => run.seen.length === 1, 'the event after the retry');
    await run.watch.stop();
    assert.equal(run.calls.lists, 0);
    assert.deepEqual(run.calls.watches.slice(0, 2), ['600', '600']);
  });
});

describe('the watch stream survives any line', () => {
  it('reports a line that is not JSON or not an object as malformed, and a handler that throws, without crashing', async () => {
    const bodies = ['null\n', 'not json\n', '{"type":"ADDED","object":{"metadata":{}}}\n'];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies.shift());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    try {
      const ends: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const ended = new Promise<void>((resolve) => {
          void openWatchStream(
            kc,
            '/api/v1/events',
            {},
            5_000,
            () => {
              throw new TypeError('a handler bug');
            },
            (err) => {
              ends.push(err);
              resolve();
            },
          );
        });
        await ended;
      }
      assert.ok(ends[0] instanceof MalformedWatchLineError, String(ends[0]));
      assert.ok(ends[1] instanceof MalformedWatchLineError, String(ends[1]));
      assert.ok(ends[2] instanceof TypeError, String(ends[2]));
    } finally {
      server.close();
    }
  });
});
