import assert from 'node:assert/strict';
import { Pipeline, faultScale, report } from '../harness/pipeline-rig/index.ts';
import type { PipelineOptions, ScenarioResult } from '../harness/pipeline-rig/index.ts';

/** Events a second the mix writes while a scenario runs: a busy cluster, kept small enough for CI. */
export const RATE = 40;

/** What one fault scenario does between the warm-up traffic and the recovery. */
export interface ScenarioSpec {
  name: string;
  options?: PipelineOptions;
  /** Starts the forwarder(s); default: one in-process replica without leader election. */
  forwarders?: (p: Pipeline) => Promise<void>;
  /** Events written before the fault (default 60). */
  before?: number;
  /** Injects the fault (writing traffic meanwhile), removes it, and returns when it ended (epoch ms). */
  fault: (p: Pipeline) => Promise<number>;
  /** Events written after the fault (default 40). */
  after?: number;
  /** How long to wait for the pipeline to settle (default: the rig's 90 s). */
  settleTimeoutMs?: number;
}

/** Milliseconds of a long fault after scaling (`KUBE_WECOM_FAULT_SCALE`). */
export function scaled(ms: number): number {
  return Math.round(ms * faultScale());
}

/** Writes the mix at {@link RATE} for `ms`, e.g. while a fault lasts. */
export function traffic(p: Pipeline, ms: number): Promise<void> {
  return p.mix.pace(Math.ceil((ms / 1000) * RATE), RATE);
}

/**
 * Runs the whole pipeline with the event mix, injects the fault, lets it recover, accounts for every event
 * offered and prints the report line. The pipeline is stopped whatever happens.
 */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult & { pipeline: Pipeline }> {
  const p = await Pipeline.start(spec.options);
  try {
    await (spec.forwarders ? spec.forwarders(p) : p.startReplica('replica-a').then(() => undefined));
    await p.startFunction();
    await p.mix.pace(spec.before ?? 60, RATE);
    const faultEnd = await spec.fault(p);
    await p.mix.pace(spec.after ?? 40, RATE);
    const recoveryMs = await p.settle(faultEnd, spec.settleTimeoutMs);
    const tally = await p.tally();
    report(spec.name, tally, recoveryMs);
    for (const [reason, count] of Object.entries(tally.reasons))
      console.log(`  dead-letter reason ×${count}: ${reason}`);
    if (tally.missing.length > 0 || Number.isNaN(recoveryMs)) {
      console.log(
        `  missing: ${tally.missing
          .slice(0, 10)
          .map((o) => `${o.object}#${o.count}`)
          .join(', ')}`,
      );
      console.log(`  logs:\n    ${p.logs.slice(-30).join('\n    ')}`);
    }
    return { scenario: spec.name, tally, recoveryMs, pipeline: p };
  } finally {
    await p.stop();
  }
}

/**
 * The target every scenario asserts: every event offered is accounted for (delivered, suppressed by rule, or in the
 * DLQ with a reason), the pipeline settled, and duplicates stay within `maxDuplicates`.
 */
export function assertAccounted(result: ScenarioResult, maxDuplicates = 0): void {
  const { tally } = result;
  assert.deepEqual(
    tally.missing.map((o) => `${o.object}#${o.count}`),
    [],
    'every offered event is accounted for',
  );
  assert.equal(tally.accounted, tally.offered);
  assert.equal(tally.deadLetteredWithoutReason, 0, 'every dead letter carries its reason');
  assert.ok(!Number.isNaN(result.recoveryMs), 'the pipeline settled after the fault');
  assert.ok(
    tally.duplicates <= maxDuplicates,
    `duplicates ${tally.duplicates} within the bound ${maxDuplicates}`,
  );
}
