/** One row of the bench table. */
export interface BenchResult {
  case: string;
  value: number;
  unit: string;
  /** The target from the performance issue, as text (e.g. "≥ 300000"). */
  target?: string;
  /** The same-process floor this case is compared to, in ms per run. */
  floor?: number;
  /** Time of this case divided by its floor (lower is better). */
  ratio?: number;
  /** What `floor` is when it is not a floor but another tool's figure (e.g. "kube-eventer"). */
  against?: string;
}

/**
 * Times `run` several times after a warm-up and returns the median in milliseconds: these machines are noisy,
 * so one run says little and the median of several says more.
 */
export function medianMs(run: () => void, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/**
 * The median of `runs` figures that `measure` reports itself (such as CPU time), after `warmup` runs whose figures
 * are dropped: `medianMs` for work that is asynchronous or is not timed by the wall clock.
 */
export async function medianOf(
  measure: () => Promise<number>,
  runs: number,
  warmup: number,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await measure();
  const figures: number[] = [];
  for (let i = 0; i < runs; i++) figures.push(await measure());
  return median(figures);
}

/** The middle figure (the upper one of an even count), without reordering `values`. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
