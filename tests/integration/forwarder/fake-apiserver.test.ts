import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startFakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../../emulators/kube-apiserver/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;

describe('fake kube-apiserver', () => {
  let fake: FakeApiServer;
  let dir: string;

  before(async () => {
    fake = await startFakeApiServer();
    dir = mkdtempSync(join(tmpdir(), 'fake-apiserver-'));
    writeFileSync(join(dir, 'kubeconfig'), fake.kubeconfig());
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectlEnv = () => ({ PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') });
  const kubectl = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('kubectl', args, {
        env: kubectlEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 15_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it(
    'lets kubectl create an Event, and refuses a second one with the same name as AlreadyExists',
    { skip: !hasKubectl && 'kubectl not installed' },
    async () => {
      const manifest = join(dir, 'event.yaml');
      writeFileSync(
        manifest,
        [
          'apiVersion: v1',
          'kind: Event',
          'metadata: {name: web-0.kubectl, namespace: default}',
          'involvedObject: {kind: Pod, name: web-0, namespace: default}',
          'reason: BackOff',
          'message: Back-off restarting failed container',
          'type: Warning',
          '',
        ].join('\n'),
      );
      // Asynchronously: the fake runs in this process, so a blocking spawnSync would deadlock against it.
      const first = await kubectl(['create', '-f', manifest]);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /event\/web-0.kubectl created/);
      assert.equal(fake.store.get('events', 'default', 'web-0.kubectl')?.reason, 'BackOff');

      const second = await kubectl(['create', '-f', manifest]);
      assert.notEqual(second.status, 0);
      assert.match(second.stderr, /AlreadyExists/);
    },
  );

  it(
    'streams list items and then watch events to `kubectl get events -A --watch -o json`',
    { skip: !hasKubectl && 'kubectl not installed' },
    async () => {
      fake.createEvent({ namespace: 'default', name: 'before.1', reason: 'Pulled' });
      const child = spawn('kubectl', ['get', 'events', '-A', '--watch', '-o', 'json'], { env: kubectlEnv() });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        await waitFor('kubectl to start watching', () => fake.watchCount > 0);
        fake.createEvent({
          namespace: 'kube-system',
          name: 'during.1',
          reason: 'OOMKilling',
          type: 'Warning',
        });
        await waitFor('the watched event on stdout', () => out.includes('during.1'));
        fake.dropWatches();
        // kubectl exits 0 when the server ends the watch; it does not retry.
        assert.equal(await exited, 0);
      } finally {
        child.kill();
      }
      assert.match(out, /"name": "before.1"/);
      assert.match(out, /"reason": "OOMKilling"/);
      const watchRequest = fake.requests.find((r) => r.path === '/api/v1/events' && r.query.watch === 'true');
      assert.ok(watchRequest?.query.resourceVersion, 'kubectl watches from the list resourceVersion');
    },
  );

  it('serves client-node a list with resourceVersion, then a watch with bookmarks and ERROR 410 after compaction', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    fake.createEvent({ namespace: 'default', name: 'list.1' });
    const list = await core.listEventForAllNamespaces({ limit: 1 });
    assert.equal(list.items.length, 1);
    assert.ok(list.metadata?._continue, 'limit produces a continue token');
    const rest = await core.listEventForAllNamespaces({ limit: 500, _continue: list.metadata!._continue! });
    assert.ok(rest.items.length >= 1);

    const rv = list.metadata!.resourceVersion!;
    const seen: string[] = [];
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    await new Watch(kc).watch(
      '/api/v1/events',
      { resourceVersion: rv, allowWatchBookmarks: true },
      (type, obj) => seen.push(`${type}:${obj.metadata?.resourceVersion ?? ''}`),
      () => ended(),
    );
    await waitFor('the watch', () => fake.watchCount > 0);
    const created = fake.createEvent({ namespace: 'default', name: 'watch.1' });
    fake.bookmark();
    await waitFor('a bookmark', () => seen.some((s) => s.startsWith('BOOKMARK')));
    fake.dropWatches();
    await done;
    assert.ok(seen.includes(`ADDED:${created.metadata.resourceVersion}`));

    fake.compact();
    const errors: unknown[] = [];
    const done410 = new Promise<void>((resolve) => (ended = resolve));
    await new Watch(kc).watch(
      '/api/v1/events',
      { resourceVersion: rv },
      (type, obj) => errors.push({ type, code: (obj as { code?: number }).code }),
      () => ended(),
    );
    await done410;
    assert.deepEqual(errors, [{ type: 'ERROR', code: 410 }]);
  });

  it('rejects a stale Lease or ConfigMap update with 409 Conflict', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: 'kube-wecom',
      body: { metadata: { name: 'fwd' }, spec: { holderIdentity: 'a' } },
    });
    await coordination.replaceNamespacedLease({
      namespace: 'kube-wecom',
      name: 'fwd',
      body: { ...lease, spec: { holderIdentity: 'b' } },
    });
    await assert.rejects(
      coordination.replaceNamespacedLease({
        namespace: 'kube-wecom',
        name: 'fwd',
        body: { ...lease, spec: { holderIdentity: 'c' } },
      }),
      (err: { code?: number }) => err.code === 409,
    );
    await assert.rejects(
      core.readNamespacedConfigMap({ namespace: 'kube-wecom', name: 'cp' }),
      (err: { code?: number }) => err.code === 404,
    );
    const cm = await core.createNamespacedConfigMap({
      namespace: 'kube-wecom',
      body: { metadata: { name: 'cp' }, data: { a: '1' } },
    });
    await assert.rejects(
      core.createNamespacedConfigMap({ namespace: 'kube-wecom', body: { metadata: { name: 'cp' } } }),
      (err: { code?: number }) => err.code === 409,
    );
    const updated = await core.replaceNamespacedConfigMap({
      namespace: 'kube-wecom',
      name: 'cp',
      body: { ...cm, data: { a: '2' } },
    });
    assert.equal(updated.data?.a, '2');
    await assert.rejects(
      core.replaceNamespacedConfigMap({ namespace: 'kube-wecom', name: 'cp', body: cm }),
      (err: { code?: number }) => err.code === 409,
    );
  });

  it('answers injected failures with an error Status, then recovers', async () => {
    fake.failNext(1, { status: 503, match: /^\/api\/v1\/namespaces$/ });
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    await assert.rejects(core.listNamespace(), (err: { code?: number }) => err.code === 503);
    fake.upsertNamespace('pay', { team: 'pay' });
    const list = await core.listNamespace();
    assert.deepEqual(
      list.items.map((n) => n.metadata?.labels),
      [{ team: 'pay' }],
    );
  });
});
