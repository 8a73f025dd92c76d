/**
 * Discovery documents for the resources the fake serves. kubectl reads these before it lists or creates
 * anything, so their shape follows the real API server's.
 */

/** One servable resource: where it lives and how discovery describes it. */
export interface ResourceDef {
  /** Storage name (`events`, `leases` …); the events.k8s.io view shares the core `events` storage. */
  storage: string;
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
}

export const RESOURCES: ResourceDef[] = [
  {
    storage: 'events',
    group: '',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    storage: 'namespaces',
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    storage: 'configmaps',
    group: '',
    version: 'v1',
    plural: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  {
    storage: 'events',
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    storage: 'leases',
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
  },
];

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): object {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const version = { groupVersion: `${name}/v1`, version: 'v1' };
      return { name, versions: [version], preferredVersion: version };
    }),
  };
}

/** The APIResourceList for one group/version, or undefined when the fake does not serve it. */
export function apiResourceList(gv: string): object | undefined {
  const defs = RESOURCES.filter((r) => groupVersion(r) === gv);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: defs.map((r) => ({
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    })),
  };
}

/** `/openapi/v3`: the index of per-group-version documents. */
export function openApiIndex(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of new Set(RESOURCES.map(groupVersion))) {
    const path = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=fake` };
  }
  return { paths };
}

/**
 * A minimal OpenAPI v3 document for one group/version. kubectl's client-side validation needs a schema per
 * kind marked with `x-kubernetes-group-version-kind`, and decides whether the server supports field validation
 * by looking for a PATCH operation with a `fieldValidation` parameter.
 */
export function openApiDocument(path: string): object | undefined {
  const gv = path === 'api/v1' ? 'v1' : path.replace(/^apis\//, '');
  const defs = RESOURCES.filter((r) => groupVersion(r) === gv);
  if (defs.length === 0) return undefined;
  const schemas: Record<string, object> = {};
  const paths: Record<string, object> = {};
  for (const def of defs) {
    const gvk = { group: def.group, version: def.version, kind: def.kind };
    const name = `io.k8s.fake.${def.group || 'core'}.${def.version}.${def.kind}`;
    schemas[name] = {
      type: 'object',
      description: `${def.kind} (served by the kube-wecom test fake).`,
      'x-kubernetes-group-version-kind': [gvk],
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    };
    const prefix = def.group ? `/apis/${gv}` : '/api/v1';
    const itemPath = def.namespaced
      ? `${prefix}/namespaces/{namespace}/${def.plural}/{name}`
      : `${prefix}/${def.plural}/{name}`;
    paths[itemPath] = {
      patch: {
        operationId: `patch${def.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
        responses: {
          '200': {
            description: 'OK',
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
          },
        },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion },
    paths,
    components: { schemas },
  };
}
