import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { imageEnv, imageNodeFlags, runtimeStage } from '../../../infra/dockerfile.ts';

// docs/security.md, "The forwarder container": the image itself drops root, so the Deployment's runAsNonRoot holds
// even where a cluster ignores the pod's runAsUser. The rendered overlays are checked in tests/unit/forwarder.

const root = new URL('../../../', import.meta.url).pathname;

describe('forwarder container', () => {
  it('the runtime image runs as a numeric non-root user, set once and never back to root', () => {
    const users = runtimeStage().filter((step) => step.instruction === 'USER');
    assert.equal(users.length, 1, 'one USER in the runtime stage');
    const [uid, gid] = users[0]!.args.split(':');
    // Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd in the image.
    assert.match(uid!, /^[1-9]\d*$/);
    assert.match(gid ?? '1', /^[1-9]\d*$/);
  });

  it('the runtime image holds no package manager install and no shell entrypoint', () => {
    const steps = runtimeStage();
    assert.ok(!steps.some((step) => step.instruction === 'RUN' && /npm|apt|apk/.test(step.args)));
    const entrypoint = steps.find((step) => step.instruction === 'ENTRYPOINT')!;
    assert.match(entrypoint.args, /^\["node",/, 'exec form: node is PID 1, no shell');
  });

  it('the runtime image bounds the heap below the container limit and hands freed memory back (the bench runs it so too)', () => {
    const flags = imageNodeFlags();
    const heap = flags.find((flag) => flag.startsWith('--max-old-space-size='));
    assert.ok(heap, 'the heap is bounded');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped YAML; the assertion is the type check
    const deployment = parse(readFileSync(`${root}infra/k8s/base/deployment.yaml`, 'utf8')) as any;
    const limit = String(deployment.spec.template.spec.containers[0].resources.limits.memory);
    assert.match(limit, /^\d+Mi$/);
    assert.ok(Number(heap.split('=')[1]) < Number.parseInt(limit, 10), `${heap} below the ${limit} limit`);
    assert.equal(imageEnv().MALLOC_ARENA_MAX, '2', 'freed memory goes back to the system');
  });

  it('the Deployment runs the same uid, non-root, with a read-only root filesystem and no privilege escalation', () => {
    const uid = Number(
      runtimeStage()
        .find((step) => step.instruction === 'USER')!
        .args.split(':')[0],
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped YAML; the assertions are the type check
    const deployment = parse(readFileSync(`${root}infra/k8s/base/deployment.yaml`, 'utf8')) as any;
    const pod = deployment.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, uid);
    for (const container of pod.containers) {
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      assert.equal(container.securityContext.privileged ?? false, false);
    }
    assert.equal(pod.hostNetwork ?? false, false);
    assert.equal(pod.hostPID ?? false, false);
  });
});
