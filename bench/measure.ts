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
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
