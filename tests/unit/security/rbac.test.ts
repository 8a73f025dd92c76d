import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, renderOverlay } from '../../harness/kustomize/index.ts';

// docs/security.md, "The forwarder's Kubernetes permissions". tests/unit/forwarder/kustomize.test.ts checks the
// verbs; these add what a reviewer asks next: reads of the forwarder's own objects are by name too, and the bindings
// give the roles to the forwarder's service account and nobody else.

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef?: { kind: string; name: string };
}

for (const overlay of ['prod', 'dev']) {
  describe(`RBAC of infra/k8s/overlays/${overlay}`, { skip: !hasKubectl && 'kubectl not installed' }, () => {
    const manifests = hasKubectl ? renderOverlay<Manifest>(overlay) : [];

    it('reads and updates its ConfigMap and Lease only by name; create (which cannot be named) is the one exception', () => {
      const roles = manifests.filter((m) => m.kind === 'Role');
      assert.equal(roles.length, 1);
      for (const rule of roles[0]!.rules!) {
        assert.ok(!rule.resources.includes('secrets'), 'no secrets');
        for (const verb of rule.verbs) assert.ok(['create', 'get', 'update'].includes(verb), verb);
        if (rule.verbs.some((verb) => verb !== 'create')) {
          assert.equal(
            rule.resourceNames?.length,
            1,
            `${rule.resources.join()} ${rule.verbs.join()} by name`,
          );
        }
      }
    });

    it('grants nothing cluster-wide beyond get/list/watch on events and namespaces: no secrets, no wildcards', () => {
      const clusterRoles = manifests.filter((m) => m.kind === 'ClusterRole');
      assert.equal(clusterRoles.length, 1);
      for (const rule of clusterRoles[0]!.rules!) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs]) assert.ok(!field.includes('*'));
        assert.ok(
          rule.resources.every((r) => r === 'events' || r === 'namespaces'),
          rule.resources.join(),
        );
      }
    });

    it('binds both roles to the forwarder service account only', () => {
      const account = manifests.find((m) => m.kind === 'ServiceAccount')!;
      const bindings = manifests.filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding');
      assert.equal(bindings.length, 2);
      for (const binding of bindings) {
        assert.deepEqual(binding.subjects, [
          { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
        ]);
      }
    });
  });
}
