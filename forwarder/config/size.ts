const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** Parses a Kubernetes-style byte size such as `64Mi`, `512Ki` or `1048576` into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[m[2] ?? '']! : undefined;
}
