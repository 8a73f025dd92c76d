import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { STATE_TABLE } from '../budget/index.ts';
import type { EventTally } from '../render/index.ts';
import type { ParkedEvents, Parking, PendingStore } from './types.ts';

type Item = Record<string, AttributeValue>;

// Parked events wait at most as long as the DLQ keeps messages: past that, nobody would act on them anyway.
const PARKED_TTL_SECONDS = 14 * 24 * 3600;
// Counts are kept per reason and per namespace; past these many distinct values a parking folds the rest into one
// entry, so an update expression stays far below DynamoDB's 4 KB and an item below 400 KB whatever the events say.
const MAX_KEYS = 40;
const MAX_KEY_LENGTH = 120;
const OTHERS = '(others)';
const REASON = 'r:';
// Counts the parkings into a pile, so taking it deletes only what was read.
const VERSION = 'version';
const MAX_TAKE_ATTEMPTS = 5;
const NAMESPACE = 'n:';

/**
 * Parked events in the state table, one item per receiver (`pending#<receiver>`). Parking is one `UpdateItem` that
 * adds counts (`ADD` is atomic, so parkings from any number of containers never overwrite each other) and never
 * reads first; taking reads the pile and deletes exactly what it read (see `take`).
 */
export class DynamoPendingStore implements PendingStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async park(receiver: string, parking: Parking): Promise<void> {
    await this.client.send(new UpdateItemCommand(this.update(receiver, parking, undefined)));
  }

  async parkAndClaimWakeUp(
    receiver: string,
    parking: Parking,
    wakeUp: { now: number; dueAt: number },
  ): Promise<boolean> {
    try {
      await this.client.send(new UpdateItemCommand(this.update(receiver, parking, wakeUp)));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Reads the pile (strongly consistent), then deletes it only if no parking was added since (`version`). A delete
   * whose answer is lost (a timeout) may or may not have happened: the pile read is returned all the same, so its
   * events are sent now, and at worst counted again by a later summary; never lost.
   */
  async take(receiver: string): Promise<ParkedEvents | undefined> {
    for (let attempt = 1; ; attempt++) {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyOf(receiver), ConsistentRead: true }),
      );
      // An item with only a wake-up claim, or an empty parking, holds no events.
      if (!Item || Number(Item.total?.N ?? 0) === 0) return undefined;
      try {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: keyOf(receiver),
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': VERSION },
            ExpressionAttributeValues: { ':v': Item[VERSION] ?? { N: '0' } },
          }),
        );
      } catch (error) {
        // Parked into meanwhile: read again. Out of attempts, leave it for the next batch holding a slot.
        if (error instanceof ConditionalCheckFailedException) {
          if (attempt < MAX_TAKE_ATTEMPTS) continue;
          return undefined;
        }
      }
      return parkedOf(Item);
    }
  }

  private update(receiver: string, parking: Parking, wakeUp: { now: number; dueAt: number } | undefined) {
    const names: Record<string, string> = { '#e': STATE_TABLE.ttlAttribute };
    const values: Item = {
      ':e': { N: String(Math.ceil(parking.since / 1000) + PARKED_TTL_SECONDS) },
      ':since': { N: String(parking.since) },
    };
    const adds: string[] = [];
    const add = (attribute: string, value: AttributeValue) => {
      const i = adds.length;
      names[`#a${i}`] = attribute;
      values[`:a${i}`] = value;
      adds.push(`#a${i} :a${i}`);
    };
    const { tally, mentions } = parking;
    add('total', { N: String(tally.total) });
    add('warnings', { N: String(tally.warnings) });
    add('parkings', { SS: [parking.id, ...parking.carried] });
    add(VERSION, { N: '1' });
    if (tally.clusters.length > 0) add('clusters', { SS: tally.clusters });
    if (mentions.users.length > 0) add('users', { SS: mentions.users });
    if (mentions.mobiles.length > 0) add('mobiles', { SS: mentions.mobiles });
    for (const [prefix, counts] of [
      [REASON, tally.byReason],
      [NAMESPACE, tally.byNamespace],
    ] as const) {
      for (const [key, n] of Object.entries(bounded(counts))) add(prefix + key, { N: String(n) });
    }
    const sets = ['#e = :e', 'since = if_not_exists(since, :since)'];
    if (mentions.all) {
      sets.push('mentionAll = :true');
      values[':true'] = { BOOL: true };
    }
    let condition: string | undefined;
    if (wakeUp) {
      sets.push('wakeUpAt = :due');
      values[':due'] = { N: String(wakeUp.dueAt) };
      values[':now'] = { N: String(wakeUp.now) };
      condition = 'attribute_not_exists(wakeUpAt) OR wakeUpAt <= :now';
    }
    return {
      TableName: this.tableName,
      Key: keyOf(receiver),
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

function keyOf(receiver: string): Item {
  return { [STATE_TABLE.partitionKey]: { S: `pending#${receiver}` } };
}

/** The `MAX_KEYS - 1` largest counts, the rest summed under `(others)`; keys cut to a sane length. */
function bounded(counts: Record<string, number>): Record<string, number> {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const out: Record<string, number> = {};
  sorted.forEach(([key, n], i) => {
    const name = i < MAX_KEYS - 1 ? key.slice(0, MAX_KEY_LENGTH) : OTHERS;
    out[name] = (out[name] ?? 0) + n;
  });
  return out;
}

function parkedOf(item: Item): ParkedEvents {
  const tally: EventTally = {
    total: Number(item.total?.N ?? 0),
    warnings: Number(item.warnings?.N ?? 0),
    clusters: item.clusters?.SS ?? [],
    byReason: {},
    byNamespace: {},
  };
  for (const [name, value] of Object.entries(item)) {
    if (value.N === undefined) continue;
    if (name.startsWith(REASON)) tally.byReason[name.slice(REASON.length)] = Number(value.N);
    else if (name.startsWith(NAMESPACE)) tally.byNamespace[name.slice(NAMESPACE.length)] = Number(value.N);
  }
  return {
    tally,
    mentions: {
      users: item.users?.SS ?? [],
      mobiles: item.mobiles?.SS ?? [],
      all: item.mentionAll?.BOOL ?? false,
    },
    parkings: item.parkings?.SS ?? [],
    since: Number(item.since?.N ?? 0),
  };
}
