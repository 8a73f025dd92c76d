import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/lambda/index.ts';
import { pileMessageBody } from '../../functions/deferral/index.ts';
import { compileRules } from '../../functions/rules/index.ts';
import { validateBundle } from '../../functions/bundle/index.ts';
import { startFakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import { EventMix, FAULT_BUNDLE, account } from '../harness/pipeline-rig/index.ts';
import type { Occurrence } from '../harness/pipeline-rig/index.ts';
import type { RecordedMessage } from '../../emulators/wecom/index.ts';

// The drills are only as good as their ledger: these cases prove it notices a lost event, a duplicate and a dead
// letter without a reason, so a green drill means something.

const engine = compileRules(validateBundle(FAULT_BUNDLE).bundle!);
let fake: FakeApiServer;
let offered: Occurrence[];
before(async () => {
  fake = await startFakeApiServer();
  const mix = new EventMix(fake, 'ledger', 7);
  mix.write(40);
  offered = mix.offered;
});
after(() => fake.close());

const message = (key: string, content: string): RecordedMessage => ({
  key,
  msgtype: 'markdown',
  payload: { content },
  body: {},
  receivedAt: 0,
});
const shownIn = (occurrences: Occurrence[]) =>
  occurrences.map((o) => `● **${o.event.reason}** ${o.event.kind} ${o.object} ×${o.count} 1s ago`).join('\n');
const envelopeOf = (o: Occurrence) =>
  JSON.stringify({
    v: 1,
    cluster: 'ledger',
    watchType: o.watchType,
    observedAt: '2026-11-27T00:00:00Z',
    event: o.event.raw,
  });
const notified = () => offered.filter((o) => engine.evaluate(o.event, Date.now()).notify);
// By default the function received every occurrence, each in a batch of its own.
const tallyOf = (
  messages: RecordedMessage[],
  deadLetters: Message[] = [],
  batches: string[][] = offered.map((o) => [envelopeOf(o)]),
  summarized: ReadonlySet<string> = new Set(),
) => account({ offered, engine, messages, deadLetters, batches, summarized, now: Date.now() });

describe('fault ledger', () => {
  it('accounts for every occurrence when each notified one is shown once and the rest are suppressed', () => {
    const tally = tallyOf([message('ops', shownIn(notified()))]);
    assert.deepEqual(tally.missing, []);
    assert.equal(tally.accounted, tally.offered);
    assert.equal(tally.delivered, notified().length);
    assert.ok(tally.delivered > 0 && tally.delivered < tally.offered);
    assert.equal(tally.duplicates, 0);
  });

  it('reports an occurrence the rules hold back as missing when the function never received it', () => {
    const heldBack = offered.filter((o) => !engine.evaluate(o.event, Date.now()).notify);
    const lost = heldBack.find((o) => !offered.some((x) => x.uid === o.uid && x.count > o.count))!;
    const received = offered.filter((o) => o !== lost).map((o) => [envelopeOf(o)]);
    const tally = tallyOf([message('ops', shownIn(notified()))], [], received);
    assert.deepEqual(
      tally.missing.map((o) => `${o.object}#${o.count}`),
      [`${lost.object}#${lost.count}`],
    );
  });

  it('reports an occurrence shown nowhere as missing', () => {
    const lost = notified().find((o) => offered.filter((x) => x.object === o.object).length === 1)!;
    const tally = tallyOf([message('ops', shownIn(notified().filter((o) => o !== lost)))]);
    assert.deepEqual(
      tally.missing.map((o) => `${o.object}#${o.count}`),
      [`${lost.object}#${lost.count}`],
    );
  });

  it('counts an occurrence an accepted summary covered (counted, not listed) as delivered', () => {
    const lost = notified().find((o) => offered.filter((x) => x.object === o.object).length === 1)!;
    const shown = message('ops', shownIn(notified().filter((o) => o !== lost)));
    const tally = tallyOf([shown], [], undefined, new Set([lost.uid]));
    assert.deepEqual(tally.missing, []);
    assert.equal(tally.delivered, notified().length);
  });

  it('counts an occurrence superseded by a later delivered count of its event as coalesced, not missing', () => {
    const later = notified().find((o) => o.count > 1)!;
    const earlier = notified().find((o) => o.uid === later.uid && o.count < later.count)!;
    const tally = tallyOf([message('ops', shownIn(notified().filter((o) => o !== earlier)))]);
    assert.deepEqual(tally.missing, []);
    assert.equal(tally.coalesced, 1);
  });

  it('counts the same event at the same count accepted twice by one robot as a duplicate, but not fan-out', () => {
    const all = shownIn(notified());
    const first = shownIn(notified().slice(0, 1));
    assert.equal(tallyOf([message('ops', all), message('ops', first)]).duplicates, 1);
    assert.equal(tallyOf([message('ops', all), message('pay', first)]).duplicates, 0);
  });

  it('separates dead letters with a reason from those the redrive policy moved without one', () => {
    const [dead, other, ...rest] = notified();
    const letter = (o: Occurrence, reason?: string): Message => ({
      Body: envelopeOf(o),
      MessageAttributes: reason
        ? { [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: reason } }
        : {},
    });
    const tally = tallyOf([message('ops', shownIn(rest))], [letter(dead!, 'errcode 93000'), letter(other!)]);
    assert.equal(tally.deadLettered, 1);
    assert.equal(tally.deadLetteredWithoutReason, 1);
    assert.deepEqual(tally.reasons, { 'errcode 93000': 1 });
    assert.equal(tally.missing.length, 0);
  });

  it('counts an occurrence as dead-lettered when the update its batch collapsed it into is', () => {
    const later = notified().find((o) => o.count > 1)!;
    const earlier = notified().find((o) => o.uid === later.uid && o.count === later.count - 1)!;
    const rest = notified().filter((o) => o.uid !== later.uid);
    const letter: Message = {
      Body: envelopeOf(later),
      MessageAttributes: {
        [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: 'errcode 93000' },
      },
    };
    const apart = offered.filter((o) => o.uid !== later.uid).map((o) => [envelopeOf(o)]);
    const together = [...apart, [envelopeOf(earlier), envelopeOf(later)]];
    const collapsed = tallyOf([message('ops', shownIn(rest))], [letter], together);
    assert.deepEqual(
      collapsed.missing.filter((o) => o.uid === later.uid && o.count >= earlier.count),
      [],
    );
    const separate = tallyOf(
      [message('ops', shownIn(rest))],
      [letter],
      [...apart, [envelopeOf(earlier)], [envelopeOf(later)]],
    );
    assert.ok(separate.missing.includes(earlier), 'received apart, its own message had to be accounted for');
  });

  it('counts the events of a dead-lettered pile of parked events by the parkings it names, and only those', () => {
    const [parked, elsewhere, ...rest] = notified();
    const pile: Message = {
      Body: pileMessageBody({
        receiver: 'pay',
        pile: {
          tally: { total: 1, warnings: 1, clusters: [], byReason: {}, byNamespace: {} },
          mentions: { users: [], mobiles: [], all: false },
          parkings: ['parking-1'],
          since: 0,
        },
      }),
      MessageAttributes: {
        [DEAD_LETTER_ATTRIBUTES.reason]: {
          DataType: 'String',
          StringValue: '1 parked events for pay: 93000',
        },
      },
    };
    const parkings = new Map([
      ['parking-1', [parked!.uid]],
      ['parking-2', [elsewhere!.uid]],
    ]);
    const tally = account({
      offered: offered.filter((o) => o.uid !== elsewhere!.uid),
      engine,
      messages: [message('ops', shownIn(rest.filter((o) => o.uid !== parked!.uid)))],
      deadLetters: [pile],
      batches: offered.map((o) => [envelopeOf(o)]),
      summarized: new Set(),
      parkedUids: (id) => parkings.get(id),
      now: Date.now(),
    });
    assert.deepEqual(tally.missing, []);
    assert.equal(tally.deadLettered, notified().filter((o) => o.uid === parked!.uid).length);
    const without = tallyOf([message('ops', shownIn(rest.filter((o) => o.uid !== parked!.uid)))], [pile]);
    assert.ok(
      without.missing.some((o) => o.uid === parked!.uid),
      'without the parkings the pile names nothing',
    );
  });
});
