import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, renderOverlay } from '../../harness/kustomize/index.ts';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

for (const overlay of ['prod', 'dev']) {
  describe(`infra/k8s/overlays/${overlay}`, { skip: !hasKubectl && 'kubectl not installed' }, () => {
    const manifests = hasKubectl ? renderOverlay<Manifest>(overlay) : [];
    const find = (kind: string) => manifests.find((m) => m.kind === kind)!;

    it('grants cluster-wide only get/list/watch on Events and Namespaces', () => {
      const rules = find('ClusterRole').rules as Rule[];
      for (const rule of rules) {
        assert.deepEqual([...rule.verbs].sort(), ['get', 'list', 'watch']);
        for (const resource of rule.resources)
          assert.ok(['events', 'namespaces'].includes(resource), resource);
      }
      assert.ok(rules.some((r) => r.apiGroups.includes('') && r.resources.includes('events')));
      assert.ok(rules.some((r) => r.apiGroups.includes('events.k8s.io')));
    });

    it('lets the forwarder write only its own ConfigMap and Lease, in its namespace', () => {
      const role = find('Role');
      assert.equal(role.metadata.namespace, 'kube-wecom');
      for (const rule of role.rules as Rule[]) {
        assert.ok(['configmaps', 'leases'].includes(rule.resources[0]!) && rule.resources.length === 1);
        if (rule.verbs.includes('update'))
          assert.equal(rule.resourceNames?.length, 1, 'updates only on named objects');
        assert.ok(
          rule.verbs.every((v) => ['create', 'get', 'update'].includes(v)),
          rule.verbs.join(),
        );
      }
      assert.equal(find('RoleBinding').metadata.namespace, 'kube-wecom');
    });

    it('runs as non-root with a read-only root filesystem, probes, limits and no automounted token', () => {
      // Rendered YAML is untyped; the assertions below are the type check.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const deployment = find('Deployment') as any;
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(container.livenessProbe.httpGet.path, '/healthz');
      assert.equal(container.readinessProbe.httpGet.path, '/readyz');
      assert.ok(container.resources.requests.memory && container.resources.limits.memory);
      assert.equal(deployment.spec.replicas, overlay === 'prod' ? 2 : 1);
      assert.match(container.image, /kube-wecom-forwarder:/);
    });

    it('annotates the ServiceAccount for IRSA', () => {
      assert.match(
        find('ServiceAccount').metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '',
        new RegExp(`role/kube-wecom-${overlay}-forwarder$`),
      );
    });
  });
}
