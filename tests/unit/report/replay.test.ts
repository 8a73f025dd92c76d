import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { EnvelopeV1 } from '../../../contracts/index.ts';
import type { Bundle, BundleInput } from '../../../functions/bundle/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import { reportFigures } from '../../../local/report/figures.ts';
import { replayEnvelopes } from '../../../local/report/replay.ts';
import { suggestChanges } from '../../../local/report/suggest.ts';
import { runReport } from '../../../cli/report/run.ts';
import { anEnvelope } from '../../helpers/builders.ts';

const START = Date.parse('2026-11-27T10:00:00Z');
const MINUTE = 60_000;

function bundleOf(input: BundleInput): Bundle {
  const result = validateBundle(input);
  if (!result.bundle) throw new Error(JSON.stringify(result.problems));
  return result.bundle;
}

/** A storm: `perMinute` new Warning events a minute for `minutes`, spread over five namespaces. */
function storm(minutes: number, perMinute: number): EnvelopeV1[] {
  return Array.from({ length: minutes * perMinute }, (_, i) => {
    const at = new Date(START + Math.floor((i * MINUTE) / perMinute)).toISOString();
    return anEnvelope({ uid: `e-${i}`, name: `pod-${i}`, namespace: `ns-${i % 5}`, lastSeen: at });
  });
}

const UNGROUPED = bundleOf({
  version: 1,
  receivers: { ops: { webhook: 'env:WECOM_OPS' } },
  routes: [{ name: 'warnings', match: { level: 'Warning' }, receivers: ['ops'] }],
});

describe('report replay', () => {
  it('never lets a robot take more than its limit in a minute, and covers every event', async () => {
    const input = storm(10, 60);
    const figures = reportFigures(UNGROUPED, await replayEnvelopes(UNGROUPED, input));
    const [robot] = figures.robots;
    assert.ok(robot!.busiestMinute.messages <= 20, `busiest minute ${robot!.busiestMinute.messages}`);
    assert.ok(robot!.busiestMinute.messages >= 15, 'the storm uses the budget');
    assert.equal(figures.totals.notified, input.length);
    assert.equal(figures.totals.deadLettered, 0);
  });

  it('suggests a change only with the figure a second replay of the changed bundle gives', async () => {
    const input = storm(10, 6);
    const figures = reportFigures(UNGROUPED, await replayEnvelopes(UNGROUPED, input));
    const [suggestion] = await suggestChanges(UNGROUPED, input, figures);
    assert.ok(suggestion, 'a route sending hundreds of messages an hour gets a suggestion');
    assert.equal(suggestion.messagesPerHour, figures.routes[0]!.messagesPerHour);
    const changed = bundleOf({
      version: 1,
      receivers: { ops: { webhook: 'env:WECOM_OPS' } },
      routes: [
        {
          name: 'warnings',
          match: { level: 'Warning' },
          receivers: ['ops'],
          ...(suggestion.change.startsWith('group.by')
            ? { group: { by: JSON.parse(suggestion.change.slice('group.by: '.length)) as string[] } }
            : { repeat: JSON.parse(suggestion.change.slice('repeat: '.length)) as { every: string } }),
        },
      ],
    });
    const after = reportFigures(changed, await replayEnvelopes(changed, input));
    assert.equal(suggestion.afterPerHour, after.routes[0]!.messagesPerHour);
    assert.ok(suggestion.afterPerHour <= suggestion.messagesPerHour * 0.75);
  });

  it('reads a `kubectl get events -A -o json` list', async () => {
    let text = '';
    const code = await runReport(
      {
        config: fileURLToPath(new URL('../../../config/example.json', import.meta.url)),
        events: fileURLToPath(new URL('../../fixtures/events/kubectl-list.json', import.meta.url)),
        cluster: 'prod-sh',
        json: true,
      },
      {
        stdin: { async *[Symbol.asyncIterator]() {} },
        stdout: { write: (chunk: string) => void (text += chunk) },
        stderr: { write: () => undefined },
      },
    );
    assert.equal(code, 0);
    const figures = JSON.parse(text) as { totals: { records: number } };
    assert.ok(figures.totals.records > 0);
  });
});
