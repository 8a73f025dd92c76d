import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// The stages are internals of the pipeline module; their table tests reach past its index on purpose.
import { collapseUpdates } from '../../../functions/pipeline/collapse-stage.ts';
import { groupDeliveries } from '../../../functions/pipeline/group-stage.ts';
import type { JudgedEvent } from '../../../functions/pipeline/judge-stage.ts';
import { reportOutcomes } from '../../../functions/pipeline/report-stage.ts';
import { settleOutcomes } from '../../../functions/pipeline/settle-stage.ts';
import type {
  BatchStats,
  DeadLetter,
  DecodedRecord,
  DeliveryOutcome,
} from '../../../functions/pipeline/index.ts';
import type { ResolvedMentions } from '../../../functions/rules/index.ts';
import { normalizeEvent } from '../../../contracts/index.ts';
import { aCollapsedEvent, anEnvelope } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

/** Decoded records in batch order, ids `m0`, `m1`, … */
function decoded(...specs: EventSpec[]): DecodedRecord[] {
  return specs.map((spec, position) => {
    const envelope = anEnvelope(spec);
    return { messageId: `m${position}`, position, event: normalizeEvent(envelope), envelope };
  });
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
  return {
    collapsed: aCollapsedEvent(spec),
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

/** An outcome of a message to `receiver` covering events that stand for the given queue message ids. */
function outcome(
  status: DeliveryOutcome['status'],
  messageIds: string[][],
  failure: {
    errcode?: number | null;
    reason?: string;
    attempts?: number;
    budget?: boolean;
    receiver?: string;
  } = {},
  events = messageIds.map((ids) => aCollapsedEvent({ uid: ids[0] }, ids)),
): DeliveryOutcome {
  const planned = {
    message: {
      receiver: failure.receiver ?? 'ops',
      msgtype: 'markdown' as const,
      body: {},
      bytes: 0,
      covers: [],
    },
    events,
    mentions: NO_ONE,
    overflow: false,
  };
  const attempts = failure.attempts ?? 1;
  const errcode = failure.errcode ?? null;
  const reason = failure.reason ?? 'failed';
  if (status === 'sent') return { planned, status, attempts };
  if (status === 'dead') return { planned, status, attempts, errcode, reason };
  return { planned, status, attempts, errcode, reason, budget: failure.budget ?? false };
}

describe('settle and report stages', () => {
  const NOW = Date.parse('2026-11-27T10:00:00Z');
  const grants = new Map([['ops', { slots: [], nextFreeAt: NOW + 20_000, source: 'table' as const }]]);
  const settle = (outcomes: DeliveryOutcome[], maxFailures = 5) =>
    settleOutcomes(outcomes, new Map(), { now: NOW, grants, maxFailures });
  const poison: DeadLetter = { messageId: 'p', reason: 'poison message: not JSON', errcode: null };
  const cases: Array<{
    name: string;
    outcomes: DeliveryOutcome[];
    poison?: DeadLetter[];
    /** receiver → [waiting uids, failed, wait from now in ms] */
    waits: Record<string, [string[], boolean, number]>;
    dead: Array<[string, string]>;
    counts: Partial<BatchStats>;
  }> = [
    {
      name: 'finishes every message whose deliveries all went out',
      outcomes: [outcome('sent', [['m1'], ['m2']]), outcome('sent', [['m1']], { attempts: 3 })],
      waits: {},
      dead: [],
      counts: { sent: 2, retries: 2, deadLetters: 0, retryLater: 0, deferred: 0, failuresByErrcode: {} },
    },
    {
      name: 'lets the events of a transient failure wait 15 s for this receiver, counted as a failure',
      outcomes: [outcome('retry', [['m1', 'm2']], { errcode: -1 })],
      waits: { ops: [['m1'], true, 15_000] },
      dead: [],
      counts: { sent: 0, deferred: 1, retryLater: 0, failuresByErrcode: { '-1': 1 } },
    },
    {
      name: 'lets a busy robot’s events wait for its next free slot, or past its block after 45009, no failure',
      outcomes: [outcome('retry', [['m1']], { errcode: 45009, budget: true })],
      waits: { ops: [['m1'], false, 61_000] },
      dead: [],
      counts: { deferred: 1, failuresByErrcode: { '45009': 1 } },
    },
    {
      name: 'dead-letters a message that failed permanently, with every distinct reason',
      outcomes: [
        outcome('dead', [['m1']], { errcode: 93000, reason: 'invalid webhook' }),
        outcome('dead', [['m1']], { errcode: 40058, reason: 'bad content' }),
      ],
      waits: {},
      dead: [['m1', 'invalid webhook; bad content']],
      counts: { deadLetters: 1, failuresByErrcode: { '93000': 1, '40058': 1 } },
    },
    {
      name: 'dead-letters an event after its fifth failed delivery instead of letting it wait again',
      outcomes: [
        outcome('retry', [['m1']], { errcode: -1, reason: 'system busy' }, [
          { ...aCollapsedEvent({ uid: 'm1' }, ['m1']), failures: 4 },
        ]),
      ],
      waits: {},
      dead: [['m1', 'failed 5 times: system busy']],
      counts: { deferred: 0, deadLetters: 1 },
    },
    {
      name: 'does not let an event wait for a receiver that another message already delivered it to',
      outcomes: (() => {
        const shared = aCollapsedEvent({ uid: 'm1' }, ['m1']);
        return [
          outcome('sent', [['m1']], {}, [shared]),
          outcome('retry', [['m1']], { errcode: -1 }, [shared]),
        ];
      })(),
      waits: {},
      dead: [],
      counts: { sent: 1, deferred: 0 },
    },
    {
      name: 'dead-letters poison messages first, with their reason',
      outcomes: [outcome('dead', [['m1']], { reason: 'gone' })],
      poison: [poison],
      waits: {},
      dead: [
        ['p', 'poison message: not JSON'],
        ['m1', 'gone'],
      ],
      counts: { deadLetters: 2 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const settled = settle(c.outcomes);
      const waits = Object.fromEntries(
        [...settled.fates.waits].map(([receiver, wait]) => [
          receiver,
          [wait.events.map((event) => event.event.uid), wait.failed, wait.until - NOW],
        ]),
      );
      assert.deepEqual(waits, c.waits);
      const report = reportOutcomes(
        settled.fates,
        { deferrals: [], retry: [], lostPiles: [] },
        c.poison ?? [],
      );
      assert.deepEqual(
        report.deadLetters.map((letter) => [letter.messageId, letter.reason]),
        c.dead,
      );
      const counts: Partial<BatchStats> = { ...settled.counts, ...report.counts };
      for (const [key, value] of Object.entries(c.counts)) {
        assert.deepEqual(counts[key as keyof BatchStats], value, key);
      }
    });
  }

  it('dead-letters a copy that owes only the receivers that failed when another receiver got the event', () => {
    const event = aCollapsedEvent({ uid: 'u1' }, ['m1']);
    const settled = settle([
      outcome('sent', [['m1']], { receiver: 'idle' }, [event]),
      outcome('dead', [['m1']], { receiver: 'gone', errcode: 93000, reason: 'invalid webhook' }, [event]),
    ]);
    const [letter] = reportOutcomes(
      settled.fates,
      { deferrals: [], retry: [], lostPiles: [] },
      [],
    ).deadLetters;
    assert.deepEqual(JSON.parse(letter!.body!).owed, ['gone']);
  });

  it('dead-letters one copy, not one per message, for an event whose batch held several of its updates', () => {
    const event = aCollapsedEvent({ uid: 'u1' }, ['m1', 'm2', 'm3']);
    const settled = settle([
      outcome('sent', [['m1']], { receiver: 'idle' }, [event]),
      outcome('dead', [['m1']], { receiver: 'gone', errcode: 93000, reason: 'invalid webhook' }, [event]),
    ]);
    const letters = reportOutcomes(
      settled.fates,
      { deferrals: [], retry: [], lostPiles: [] },
      [],
    ).deadLetters;
    assert.deepEqual(
      letters.map((letter) => letter.messageId),
      ['m1'],
    );
    const whole = settle([outcome('dead', [['m1']], { errcode: 93000 }, [event])]);
    assert.deepEqual(
      reportOutcomes(whole.fates, { deferrals: [], retry: [], lostPiles: [] }, []).deadLetters.map(
        (letter) => letter.messageId,
      ),
      ['m1', 'm2', 'm3'],
      'records kept as they came are each their own letter',
    );
  });

  it('keeps a record as it came in the DLQ when no receiver got it', () => {
    const settled = settle([outcome('dead', [['m1']], { errcode: 93000 })]);
    const [letter] = reportOutcomes(
      settled.fates,
      { deferrals: [], retry: [], lostPiles: [] },
      [],
    ).deadLetters;
    assert.equal(letter!.body, undefined);
  });
});
