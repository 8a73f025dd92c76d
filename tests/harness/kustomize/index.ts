import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

const root = new URL('../../../', import.meta.url).pathname;

/** kubectl (with its built-in kustomize) is on some machines of this kind and not on others. */
export const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;

/** `kubectl kustomize infra/k8s/overlays/<overlay>`, as the list of manifests it renders. */
export function renderOverlay<T>(overlay: string): T[] {
  const result = spawnSync('kubectl', ['kustomize', `infra/k8s/overlays/${overlay}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((d) => d.toJSON() as T);
}
