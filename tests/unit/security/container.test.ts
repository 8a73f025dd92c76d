import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// docs/security.md, "The forwarder container": the image itself drops root, so the Deployment's runAsNonRoot holds
// even where a cluster ignores the pod's runAsUser. The rendered overlays are checked in tests/unit/forwarder.

const root = new URL('../../../', import.meta.url).pathname;

/** The instructions of the Dockerfile's last stage (the image that runs), continuation lines joined. */
function runtimeStage(): { instruction: string; args: string }[] {
  const lines = readFileSync(`${root}infra/Dockerfile`, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const last = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines.slice(last).map((line) => {
    const [instruction, ...rest] = line.split(/\s+/);
    return { instruction: instruction!.toUpperCase(), args: rest.join(' ') };
  });
}

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
