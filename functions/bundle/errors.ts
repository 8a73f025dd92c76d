/** One thing wrong (or suspicious) in a bundle, located by JSON path. */
export interface BundleProblem {
  /** JSON path into the bundle, e.g. `$.routes[0].match.reasons[1]`. */
  path: string;
  message: string;
  /** 1-based line in the bundle file, when the problem is a JSON syntax error. */
  line?: number;
}

/** A bundle that cannot be used; carries every problem found, not just the first. */
export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly problems: BundleProblem[],
    readonly source?: string,
  ) {
    super(
      `${source ? `${source}: ` : ''}invalid rules bundle (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
  }
}

/** `<JSON path>: <message>`, the line format of `kube-wecom validate`. */
export function formatProblem(problem: BundleProblem): string {
  return `${problem.path}: ${problem.message}`;
}
