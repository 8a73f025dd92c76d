import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// The stages are internals of the pipeline module; their table tests reach past its index on purpose.
import { collapseUpdates } from '../../../functions/pipeline/collapse-stage.ts';
import { groupDeliveries } from '../../../functions/pipeline/group-stage.ts';
import type { JudgedEvent } from '../../../functions/pipeline/judge-stage.ts';
import { reportOutcomes } from '../../../functions/pipeline/report-stage.ts';
import type {
  CollapsedEvent,
  DeadLetter,
  DecodedRecord,
  DeliveryOutcome,
} from '../../../functions/pipeline/index.ts';
import type { ResolvedMentions } from '../../../functions/rules/index.ts';
import { anEvent } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

/** Decoded records in batch order, ids `m0`, `m1`, … */
function decoded(...specs: EventSpec[]): DecodedRecord[] {
  return specs.map((spec, position) => ({ messageId: `m${position}`, position, event: anEvent(spec) }));
}

describe('collapse stage', () => {
  const cases: Array<{ name: string; records: DecodedRecord[]; expect: Array<[string, number, string[]]> }> =
    [
      {
        name: 'keeps a lone update as it is',
        records: decoded({ uid: 'a', count: 1 }),
        expect: [['a', 1, ['m0']]],
      },
      {
        name: 'collapses count bumps of one event to the latest, keeping every message id',
        records: decoded({ uid: 'a', count: 3 }, { uid: 'a', count: 4 }, { uid: 'a', count: 5 }),
        expect: [['a', 5, ['m0', 'm1', 'm2']]],
      },
      {
        name: 'keeps the highest count when updates arrive out of order',
        records: decoded({ uid: 'a', count: 5 }, { uid: 'a', count: 3 }),
        expect: [['a', 5, ['m0', 'm1']]],
      },
      {
        name: 'keeps events of different uids apart, in first-seen order',
        records: decoded(
          { uid: 'b', name: 'web-b' },
          { uid: 'a', name: 'web-a' },
          { uid: 'b', name: 'web-b' },
        ),
        expect: [
          ['b', 1, ['m0', 'm2']],
          ['a', 1, ['m1']],
        ],
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const collapsed = collapseUpdates(c.records);
      assert.deepEqual(
        collapsed.map((item) => [item.event.uid, item.event.count, item.messageIds]),
        c.expect,
      );
    });
  }

  it('on an equal count, keeps the later last-seen time, then the later position', () => {
    const [later] = collapseUpdates(
      decoded(
        { uid: 'a', count: 2, lastSeen: '2026-11-27T10:05:00Z', message: 'later' },
        { uid: 'a', count: 2, lastSeen: '2026-11-27T10:01:00Z', message: 'earlier' },
      ),
    );
    assert.equal(later!.event.message, 'later');
    const [last] = collapseUpdates(decoded({ uid: 'a', message: 'first' }, { uid: 'a', message: 'second' }));
    assert.equal(last!.event.message, 'second');
    assert.deepEqual(last!.positions, [0, 1]);
    assert.equal(last!.occurrences.length, 2);
  });
});

const NO_ONE: ResolvedMentions = { users: [], mobiles: [], all: false };

/** A collapsed event judged to go to each of `to` (receiver, group.by or none, mentioned users). */
function judged(
  spec: EventSpec,
  ...to: Array<{ receiver: string; groupBy?: string[]; users?: string[] }>
): JudgedEvent {
  const collapsed: CollapsedEvent = {
    event: anEvent(spec),
    occurrences: [{ watchType: 'ADDED', count: 1 }],
    messageIds: [spec.uid ?? 'm'],
    positions: [0],
  };
  return {
    collapsed,
    decision: {
      notify: true,
      routes: ['r'],
      suppressedBy: null,
      deliveries: to.map((d) => ({
        receiver: d.receiver,
        routes: ['r'],
        mentions: { ...NO_ONE, users: d.users ?? [] },
        groupBy: d.groupBy,
      })),
    },
  };
}

describe('group stage', () => {
  const byNamespace = ['namespace'];
  const cases: Array<{
    name: string;
    judged: JudgedEvent[];
    expect: Array<{
      receiver: string;
      uids: string[];
      group: Record<string, string> | undefined;
      users: string[];
    }>;
  }> = [
    {
      name: 'leaves deliveries of routes without group as single-event notices',
      judged: [judged({ uid: 'a' }, { receiver: 'ops' }), judged({ uid: 'b' }, { receiver: 'ops' })],
      expect: [
        { receiver: 'ops', uids: ['a'], group: undefined, users: [] },
        { receiver: 'ops', uids: ['b'], group: undefined, users: [] },
      ],
    },
    {
      name: 'puts events with equal group.by values for one receiver into one digest',
      judged: [
        judged({ uid: 'a', namespace: 'pay' }, { receiver: 'ops', groupBy: byNamespace }),
        judged({ uid: 'b', namespace: 'pay' }, { receiver: 'ops', groupBy: byNamespace }),
      ],
      expect: [{ receiver: 'ops', uids: ['a', 'b'], group: { namespace: 'pay' }, users: [] }],
    },
    {
      name: 'keeps different group.by values and different receivers apart, in first-seen order',
      judged: [
        judged({ uid: 'a', namespace: 'pay' }, { receiver: 'ops', groupBy: byNamespace }),
        judged({ uid: 'b', namespace: 'web' }, { receiver: 'ops', groupBy: byNamespace }),
        judged({ uid: 'c', namespace: 'pay' }, { receiver: 'dev', groupBy: byNamespace }),
      ],
      expect: [
        { receiver: 'ops', uids: ['a'], group: { namespace: 'pay' }, users: [] },
        { receiver: 'ops', uids: ['b'], group: { namespace: 'web' }, users: [] },
        { receiver: 'dev', uids: ['c'], group: { namespace: 'pay' }, users: [] },
      ],
    },
    {
      name: 'mentions in a digest the union of its events’ mentions, each once',
      judged: [
        judged(
          { uid: 'a', namespace: 'pay' },
          { receiver: 'ops', groupBy: byNamespace, users: ['li', 'wang'] },
        ),
        judged(
          { uid: 'b', namespace: 'pay' },
          { receiver: 'ops', groupBy: byNamespace, users: ['wang', 'zhao'] },
        ),
      ],
      expect: [
        { receiver: 'ops', uids: ['a', 'b'], group: { namespace: 'pay' }, users: ['li', 'wang', 'zhao'] },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const notices = groupDeliveries(c.judged);
      assert.deepEqual(
        notices.map((n) => ({
          receiver: n.receiver,
          uids: n.events.map((e) => e.event.uid),
          group: n.group,
          users: n.mentions.users,
        })),
        c.expect,
      );
    });
  }

  it('does not change the deliveries’ own mention lists when it merges them', () => {
    const first = judged(
      { uid: 'a', namespace: 'pay' },
      { receiver: 'ops', groupBy: byNamespace, users: ['li'] },
    );
    groupDeliveries([
      first,
      judged({ uid: 'b', namespace: 'pay' }, { receiver: 'ops', groupBy: byNamespace, users: ['wang'] }),
    ]);
    assert.deepEqual(first.decision.deliveries[0]!.mentions.users, ['li']);
  });
});

/** An outcome of a message covering events that stand for the given queue message ids (one event per id list). */
function outcome(
  status: DeliveryOutcome['status'],
  messageIds: string[][],
  failure: { errcode?: number | null; reason?: string; attempts?: number } = {},
): DeliveryOutcome {
  const planned = {
    message: { receiver: 'ops', msgtype: 'markdown' as const, body: {}, bytes: 0, covers: [] },
    events: messageIds.map((ids) => ({ event: anEvent(), occurrences: [], messageIds: ids, positions: [] })),
    mentions: NO_ONE,
    overflow: false,
  };
  const attempts = failure.attempts ?? 1;
  return status === 'sent'
    ? { planned, status, attempts }
    : { planned, status, attempts, errcode: failure.errcode ?? null, reason: failure.reason ?? 'failed' };
}

describe('report stage', () => {
  const poison: DeadLetter = { messageId: 'p', reason: 'poison message: not JSON', errcode: null };
  const cases: Array<{
    name: string;
    outcomes: DeliveryOutcome[];
    poison?: DeadLetter[];
    retry: string[];
    dead: Array<[string, string]>;
    counts: Partial<ReturnType<typeof reportOutcomes>['counts']>;
  }> = [
    {
      name: 'finishes every message whose deliveries all went out',
      outcomes: [outcome('sent', [['m1'], ['m2']]), outcome('sent', [['m1']], { attempts: 3 })],
      retry: [],
      dead: [],
      counts: { sent: 2, retries: 2, deadLetters: 0, retryLater: 0, failuresByErrcode: {} },
    },
    {
      name: 'redelivers a message any of whose deliveries failed transiently',
      outcomes: [outcome('sent', [['m1']]), outcome('retry', [['m1', 'm2']], { errcode: -1 })],
      retry: ['m1', 'm2'],
      dead: [],
      counts: { sent: 1, retryLater: 2, failuresByErrcode: { '-1': 1 } },
    },
    {
      name: 'dead-letters a message that failed permanently, with every distinct reason',
      outcomes: [
        outcome('dead', [['m1']], { errcode: 93000, reason: 'invalid webhook' }),
        outcome('dead', [['m1']], { errcode: 93000, reason: 'invalid webhook' }),
        outcome('dead', [['m1']], { errcode: 40058, reason: 'bad content' }),
      ],
      retry: [],
      dead: [['m1', 'invalid webhook; bad content']],
      counts: { deadLetters: 1, failuresByErrcode: { '93000': 2, '40058': 1 } },
    },
    {
      name: 'prefers a retry to a dead letter for the same message, since retrying may succeed',
      outcomes: [
        outcome('dead', [['m1']], { errcode: 93000, reason: 'invalid webhook' }),
        outcome('retry', [['m1']]),
      ],
      retry: ['m1'],
      dead: [],
      counts: { deadLetters: 0, retryLater: 1, failuresByErrcode: { '93000': 1, none: 1 } },
    },
    {
      name: 'dead-letters poison messages first, with their reason',
      outcomes: [outcome('dead', [['m1']], { reason: 'gone' })],
      poison: [poison],
      retry: [],
      dead: [
        ['p', 'poison message: not JSON'],
        ['m1', 'gone'],
      ],
      counts: { deadLetters: 2 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const report = reportOutcomes(c.outcomes, c.poison ?? []);
      assert.deepEqual(report.retry.sort(), c.retry);
      assert.deepEqual(
        report.deadLetters.map((letter) => [letter.messageId, letter.reason]),
        c.dead,
      );
      for (const [key, value] of Object.entries(c.counts)) {
        assert.deepEqual(report.counts[key as keyof typeof report.counts], value, key);
      }
    });
  }
});
