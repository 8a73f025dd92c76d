import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { WecomDeadlineError, WecomRetriesExhaustedError } from '../../../functions/channels/wecom/index.ts';
import { MemoryPendingStore } from '../../../functions/deferral/index.ts';
import type { CopyQueue, PendingStore, QueuedCopy } from '../../../functions/deferral/index.ts';
import { processBatch } from '../../../functions/pipeline/index.ts';
import type { BatchRecord, Grant, MessageSender } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { aBundle, anEnvelope, NOW } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

/** A sender whose robots have the given free slots per receiver, and whose sends fail as told. */
class ScriptedSender implements MessageSender {
  readonly sent: RenderedMessage[] = [];
  constructor(
    readonly free: Record<string, number>,
    private readonly fail: Record<string, 'transient' | 'busy'> = {},
    /** Fails only the summaries ("+N more events") to these receivers. */
    private readonly failSummaries: Record<string, 'transient' | 'busy'> = {},
  ) {}
  async reserve(receiver: string, wanted: number, now: number): Promise<Grant> {
    const granted = Math.min(wanted, this.free[receiver] ?? 0);
    this.free[receiver] = (this.free[receiver] ?? 0) - granted;
    const slots = Array.from({ length: granted }, () => ({ webhook: 0, at: now }));
    return { slots, nextFreeAt: now + 20_000, source: 'table' };
  }
  async send(message: RenderedMessage): Promise<{ attempts: number }> {
    const failure =
      this.fail[message.receiver] ??
      (/more events/.test(JSON.stringify(message.body)) ? this.failSummaries[message.receiver] : undefined);
    if (failure === 'transient') throw new WecomRetriesExhaustedError(-1, 'system busy', 3, 'key=****1234');
    if (failure === 'busy')
      throw new WecomDeadlineError('rate-limit', 45009, 'api freq out of limit', 1, 'k');
    this.sent.push(message);
    return { attempts: 1 };
  }
}

class RecordingCopies implements CopyQueue {
  readonly copies: QueuedCopy[] = [];
  constructor(private readonly broken = false) {}
  async enqueue(copies: readonly QueuedCopy[]): Promise<number[]> {
    if (this.broken) return copies.map((_, i) => i);
    this.copies.push(...copies);
    return [];
  }
}

const TWO_ROBOTS: Partial<BundleInput> = {
  routes: [{ name: 'r', receivers: ['busy', 'idle'], group: { by: ['namespace'] } }],
};

function deps(
  overrides: Partial<BundleInput>,
  sender: MessageSender,
  pending: PendingStore,
  copies: CopyQueue,
) {
  const result = validateBundle(aBundle(overrides));
  if (!result.bundle) throw new Error(JSON.stringify(result.problems));
  return {
    engine: compileRules(result.bundle),
    renderer: compileRenderer(result.bundle, { now: () => NOW }),
    sender,
    deferral: { pending, copies, logger: { warn() {} } },
  };
}

let serial = 0;
function record(spec: EventSpec = {}): BatchRecord {
  return { messageId: `m-${serial++}`, body: JSON.stringify(anEnvelope(spec)) };
}
const asRecord = (copy: QueuedCopy): BatchRecord => ({ messageId: `copy-${serial++}`, body: copy.body });
const context = { now: NOW, deadline: NOW + 60_000 };
const contentOf = (message: RenderedMessage) => JSON.stringify(message.body);

describe('waiting for a robot’s budget', () => {
  it('sends to the idle robot now and to the busy one later, and never twice to either', async () => {
    const sender = new ScriptedSender({ busy: 0, idle: 20 });
    const copies = new RecordingCopies();
    const d = deps(TWO_ROBOTS, sender, new MemoryPendingStore(), copies);
    const first = await processBatch([record({ uid: 'u1' })], d, context);
    assert.deepEqual(
      sender.sent.map((m) => m.receiver),
      ['idle'],
    );
    assert.deepEqual(first.retry, [], 'the record is done: SQS must not redeliver it to the idle robot');
    assert.deepEqual(first.deadLetters, []);
    assert.equal(copies.copies.length, 1, 'one wake-up copy');
    const [copy] = copies.copies;
    assert.deepEqual(JSON.parse(copy!.body).owed, ['busy']);
    assert.equal(copy!.delaySeconds, 20, 'delayed to the busy robot’s next free slot');

    sender.free.busy = 20;
    const second = await processBatch([asRecord(copy!)], d, { ...context, now: NOW + 20_000 });
    assert.deepEqual(
      sender.sent.map((m) => m.receiver),
      ['idle', 'busy'],
    );
    assert.deepEqual(second.retry, []);
    assert.equal(copies.copies.length, 1, 'nothing waits any more');
  });

  it('parks all but one waiting event and wakes them with one copy; the next free slot sends one summary of all', async () => {
    const sender = new ScriptedSender({ busy: 0, idle: 0 });
    const copies = new RecordingCopies();
    const pending = new MemoryPendingStore();
    const d = deps(
      { routes: [{ name: 'r', receivers: ['busy'], group: { by: ['namespace'] } }] },
      sender,
      pending,
      copies,
    );
    const storm = ['a', 'b', 'c', 'd', 'e'].map((ns, i) => record({ uid: `s${i}`, namespace: ns }));
    const first = await processBatch(storm, d, context);
    assert.equal(sender.sent.length, 0);
    assert.deepEqual(first.retry, []);
    assert.equal(copies.copies.length, 1, 'one wake-up, not five copies');
    assert.equal(first.deferrals[0]!.parking!.uids.length, 4);
    assert.deepEqual(first.deferrals[0]!.copied, ['s4']);

    // Another batch while the wake-up is on its way parks everything: still one wake-up.
    await processBatch([record({ uid: 'late', namespace: 'f' })], d, context);
    assert.equal(copies.copies.length, 1);

    sender.free.busy = 1;
    const woken = await processBatch([asRecord(copies.copies[0]!)], d, { ...context, now: NOW + 20_000 });
    assert.equal(sender.sent.length, 1, 'one slot, one message');
    assert.match(contentOf(sender.sent[0]!), /\+6 more events/, 'the wake-up event and the five parked');
    assert.equal(woken.stats.parkedSent, 5);
    assert.equal(await pending.take('busy'), undefined, 'the pile was taken');
  });

  it('with k slots sends k − 1 digests and one summary covering everything else', async () => {
    const sender = new ScriptedSender({ busy: 3 });
    const d = deps(
      { routes: [{ name: 'r', receivers: ['busy'], group: { by: ['namespace'] } }] },
      sender,
      new MemoryPendingStore(),
      new RecordingCopies(),
    );
    const batch = ['a', 'b', 'c', 'd', 'e', 'f'].map((ns, i) => record({ uid: `k${i}`, namespace: ns }));
    const result = await processBatch(batch, d, context);
    assert.equal(sender.sent.length, 3);
    assert.match(contentOf(sender.sent[2]!), /\+4 more events/);
    assert.equal(result.stats.deferred, 0, 'nothing waits: the summary covers it');
  });

  it('counts a transient failure on the copy, and dead-letters the event after the fifth, owed to that robot only', async () => {
    const sender = new ScriptedSender({ busy: 20, idle: 20 }, { busy: 'transient' });
    const copies = new RecordingCopies();
    const d = deps(TWO_ROBOTS, sender, new MemoryPendingStore(), copies);
    let records = [record({ uid: 'f1' })];
    for (let failures = 1; failures <= 4; failures++) {
      const result = await processBatch(records, d, context);
      assert.deepEqual(result.deadLetters, []);
      const copy = copies.copies.at(-1)!;
      assert.deepEqual(JSON.parse(copy.body).failures, failures);
      records = [asRecord(copy)];
    }
    const last = await processBatch(records, d, context);
    assert.equal(last.deadLetters.length, 1);
    assert.match(last.deadLetters[0]!.reason, /failed 5 times: .*system busy/);
    assert.deepEqual(JSON.parse(last.deadLetters[0]!.body!).owed, ['busy']);
    assert.equal(sender.sent.filter((m) => m.receiver === 'idle').length, 1, 'the idle robot got it once');
  });

  it('waits out a 45009 without counting it as a failure', async () => {
    const sender = new ScriptedSender({ busy: 20 }, { busy: 'busy' });
    const copies = new RecordingCopies();
    const d = deps(
      { routes: [{ name: 'r', receivers: ['busy'] }] },
      sender,
      new MemoryPendingStore(),
      copies,
    );
    const result = await processBatch([record({ uid: 'r1' })], d, context);
    assert.equal(result.deferrals[0]!.failed, false);
    assert.equal(JSON.parse(copies.copies[0]!.body).failures, 0);
    assert.ok(copies.copies[0]!.delaySeconds >= 61, 'past the robot’s block');
  });

  it('re-enqueues every waiting event as a copy when the state table does not answer', async () => {
    const sender = new ScriptedSender({ busy: 0 });
    const copies = new RecordingCopies();
    const broken: PendingStore = {
      park: () => Promise.reject(new Error('table gone')),
      parkAndClaimWakeUp: () => Promise.reject(new Error('table gone')),
      take: () => Promise.reject(new Error('table gone')),
    };
    const d = deps({ routes: [{ name: 'r', receivers: ['busy'] }] }, sender, broken, copies);
    const result = await processBatch([record({ uid: 'x1' }), record({ uid: 'x2' })], d, context);
    assert.equal(copies.copies.length, 2);
    assert.deepEqual(result.retry, []);
    assert.deepEqual(result.deferrals[0]!.copied.sort(), ['x1', 'x2']);
  });

  it('leaves the record to SQS only when neither the table nor the queue takes its wait', async () => {
    const sender = new ScriptedSender({ busy: 0 });
    const broken: PendingStore = {
      park: () => Promise.reject(new Error('table gone')),
      parkAndClaimWakeUp: () => Promise.reject(new Error('table gone')),
      take: () => Promise.reject(new Error('table gone')),
    };
    const d = deps(
      { routes: [{ name: 'r', receivers: ['busy'] }] },
      sender,
      broken,
      new RecordingCopies(true),
    );
    const lone = record({ uid: 'y1' });
    const result = await processBatch([lone], d, context);
    assert.deepEqual(result.retry, [lone.messageId]);
  });
});

describe('piles of parked events that travel on their own', () => {
  const ONE_ROBOT: Partial<BundleInput> = {
    routes: [{ name: 'r', receivers: ['busy'], group: { by: ['namespace'] } }],
  };
  const parkThree = (pending: PendingStore) =>
    pending.park('busy', {
      id: 'parking-1',
      tally: { total: 3, warnings: 3, clusters: ['prod'], byReason: { BackOff: 3 }, byNamespace: { a: 3 } },
      mentions: { users: ['zhangsan'], mobiles: [], all: false },
      since: NOW - 60_000,
      carried: [],
    });
  const pileRecord = (body: object): BatchRecord => ({
    messageId: `pile-${serial++}`,
    body: JSON.stringify(body),
  });
  const aPile = (failures: number, receiver = 'busy') => ({
    parked: receiver,
    tally: { total: 2, warnings: 2, clusters: ['prod'], byReason: { Failed: 2 }, byNamespace: { b: 2 } },
    mentions: { users: [], mobiles: [], all: false },
    parkings: ['parking-7'],
    since: NOW - 30_000,
    failures,
  });

  it('sends a pile whose summary met a busy robot back as a message of its own, never into the table without a wake-up', async () => {
    const sender = new ScriptedSender({ busy: 1 }, {}, { busy: 'busy' });
    const copies = new RecordingCopies();
    const pending = new MemoryPendingStore();
    const d = deps(ONE_ROBOT, sender, pending, copies);
    await parkThree(pending);
    const first = await processBatch([pileRecord(aPile(0))], d, context);
    assert.equal(sender.sent.length, 0, 'the summary of both piles met 45009');
    assert.deepEqual(first.retry, []);
    assert.deepEqual(first.deadLetters, []);
    assert.equal(await pending.take('busy'), undefined, 'not parked where no wake-up would ever come');
    assert.equal(copies.copies.length, 1);
    const [pile] = copies.copies;
    const body = JSON.parse(pile!.body);
    assert.equal(body.parked, 'busy');
    assert.equal(body.tally.total, 5);
    assert.deepEqual(body.parkings, ['parking-1', 'parking-7']);
    assert.equal(body.failures, 0, 'a busy robot is no failure');
    assert.ok(pile!.delaySeconds >= 61, 'past the robot’s block');
    assert.deepEqual(first.deferrals.at(-1)!.requeued, ['parking-1', 'parking-7']);

    // The pile message, due: a receiver with nothing new sends the pile's summary alone, with its mentions.
    const woken = new ScriptedSender({ busy: 1 });
    const later = await processBatch(
      [asRecord(pile!)],
      { ...d, sender: woken },
      { ...context, now: NOW + 61_000 },
    );
    assert.equal(woken.sent.length, 1);
    assert.match(contentOf(woken.sent[0]!), /\+5 more events/);
    assert.match(contentOf(woken.sent[0]!), /zhangsan/);
    assert.equal(later.stats.parkedSent, 5);
    assert.deepEqual(later.retry, []);
    assert.deepEqual(later.deadLetters, []);
  });

  it('joins a pile message to the table’s pile and the batch’s own events in one summary', async () => {
    const sender = new ScriptedSender({ busy: 1 });
    const pending = new MemoryPendingStore();
    const d = deps(ONE_ROBOT, sender, pending, new RecordingCopies());
    await parkThree(pending);
    const result = await processBatch(
      [record({ uid: 'own', namespace: 'a' }), pileRecord(aPile(0))],
      d,
      context,
    );
    assert.equal(sender.sent.length, 1);
    assert.match(
      contentOf(sender.sent[0]!),
      /\+6 more events/,
      'one event, three parked, two in the pile message',
    );
    assert.equal(result.stats.parkedSent, 5);
    assert.deepEqual(result.retry, []);
  });

  it('sends a pile message back, as it came, until its receiver has a slot', async () => {
    const copies = new RecordingCopies();
    const d = deps(ONE_ROBOT, new ScriptedSender({ busy: 0 }), new MemoryPendingStore(), copies);
    const result = await processBatch([pileRecord(aPile(2))], d, context);
    assert.deepEqual(result.retry, []);
    assert.equal(copies.copies.length, 1);
    assert.deepEqual(JSON.parse(copies.copies[0]!.body), aPile(2));
    assert.equal(copies.copies[0]!.delaySeconds, 20);
    const refused = deps(
      ONE_ROBOT,
      new ScriptedSender({ busy: 0 }),
      new MemoryPendingStore(),
      new RecordingCopies(true),
    );
    const lone = pileRecord(aPile(0));
    assert.deepEqual((await processBatch([lone], refused, context)).retry, [lone.messageId], 'SQS keeps it');
  });

  it('counts its failed summaries, and dead-letters it after the fifth as a pile a redrive sends', async () => {
    const failing = deps(
      ONE_ROBOT,
      new ScriptedSender({ busy: 20 }, { busy: 'transient' }),
      new MemoryPendingStore(),
      new RecordingCopies(),
    );
    const copies = failing.deferral.copies as RecordingCopies;
    const once = await processBatch([pileRecord(aPile(1))], failing, context);
    assert.deepEqual(once.deadLetters, []);
    assert.equal(JSON.parse(copies.copies[0]!.body).failures, 2);
    assert.equal(copies.copies[0]!.delaySeconds, 30, '15 s doubled per failure so far');

    const last = await processBatch([pileRecord(aPile(4))], failing, context);
    assert.equal(last.deadLetters.length, 1);
    const [letter] = last.deadLetters;
    assert.match(letter!.reason, /^2 parked events for busy: failed 5 times: .*system busy/);
    assert.equal(copies.copies.length, 1, 'not sent round again');

    // Redriven once the robot is back: its summary goes out.
    const sender = new ScriptedSender({ busy: 1 });
    const redriven = await processBatch(
      [{ messageId: 'redriven', body: letter!.body! }],
      { ...failing, sender },
      context,
    );
    assert.match(contentOf(sender.sent[0]!), /\+2 more events/);
    assert.deepEqual([redriven.retry, redriven.deadLetters], [[], []]);
  });

  it('dead-letters a pile message whose summary failed where there is nowhere to wait, never drops it', async () => {
    const d = deps(
      ONE_ROBOT,
      new ScriptedSender({ busy: 1 }, { busy: 'transient' }),
      new MemoryPendingStore(),
      new RecordingCopies(),
    );
    const result = await processBatch([pileRecord(aPile(0))], { ...d, deferral: undefined }, context);
    assert.deepEqual(result.retry, []);
    assert.equal(result.deadLetters.length, 1);
    assert.match(result.deadLetters[0]!.reason, /^2 parked events for busy: no state table or events queue/);
    assert.equal(JSON.parse(result.deadLetters[0]!.body!).parked, 'busy');
  });

  it('dead-letters a pile for a receiver the bundle no longer has, and a malformed one as poison with its path', async () => {
    const d = deps(
      ONE_ROBOT,
      new ScriptedSender({ busy: 1 }),
      new MemoryPendingStore(),
      new RecordingCopies(),
    );
    const gone = pileRecord(aPile(0, 'removed'));
    const broken = pileRecord({ ...aPile(0), tally: { ...aPile(0).tally, total: -1 } });
    const result = await processBatch([gone, broken], d, context);
    const reasons = new Map(result.deadLetters.map((letter) => [letter.messageId, letter.reason]));
    assert.equal(reasons.get(gone.messageId), '2 parked events for removed, which the bundle no longer has');
    assert.match(
      reasons.get(broken.messageId)!,
      /^poison message: \$\.tally\.total: pile of parked events: /,
    );
    assert.deepEqual(result.retry, []);
  });
});
