import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { budgetKey, claimKey, STATE_TABLE } from './table-schema.ts';
import type { AppendOutcome, BudgetState, BudgetStore, RobotId, SlotAppend } from './types.ts';

type Item = Record<string, AttributeValue>;

/** Options of the state table's client; credentials and region come from the environment unless given. */
export interface BudgetClientOptions {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per request, for connecting and for the answer; the budget must never hold up a batch (default 1,000 ms). */
  requestTimeoutMs?: number;
}

/**
 * A DynamoDB client that gives up fast: two attempts of at most ~1 s each. A table that is slow, throttled or
 * unreachable costs a batch about two seconds once, then the ledger answers from its per-process fallback.
 */
export function createBudgetClient(options: BudgetClientOptions = {}): DynamoDBClient {
  const { requestTimeoutMs = 1_000, ...client } = options;
  return new DynamoDBClient({
    ...client,
    maxAttempts: 2,
    // Without throwOnRequestTimeout, smithy only logs a warning at requestTimeout and keeps waiting.
    requestHandler: {
      connectionTimeout: requestTimeoutMs,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

const NAMES = {
  '#pk': STATE_TABLE.partitionKey,
  '#n': 'n',
  '#b': 'blockedUntil',
  '#e': STATE_TABLE.ttlAttribute,
};
const number = (value: number): AttributeValue => ({ N: String(value) });
const RING_ATTRIBUTE = /^t(\d+)$/;

function budgetOf(item: Item | undefined): BudgetState {
  const ring: number[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    const index = RING_ATTRIBUTE.exec(name)?.[1];
    if (index !== undefined && value.N !== undefined) ring[Number(index)] = Number(value.N);
  }
  return { n: Number(item?.n?.N ?? 0), ring, blockedUntil: Number(item?.blockedUntil?.N ?? 0) };
}

/**
 * Budgets and claims in the state table. Every change is one conditional write, never a read then a write: a
 * budget write applies only if no other container appended (`n` unchanged) or raised the block since this one
 * last saw the item, and a failed condition hands back the item as it is now, to plan again from.
 */
export class DynamoBudgetStore implements BudgetStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async append(robot: RobotId, change: SlotAppend): Promise<AppendOutcome> {
    const names: Record<string, string> = { '#n': NAMES['#n'], '#b': NAMES['#b'], '#e': NAMES['#e'] };
    const values: Item = {
      ':next': number(change.expected.n + change.writes.length),
      ':b': number(change.expected.blockedUntil),
      ':e': number(change.expiresAt),
    };
    const assignments = ['#n = :next', '#e = :e'];
    change.writes.forEach(({ index, time }, i) => {
      names[`#t${i}`] = `t${index}`;
      values[`:t${i}`] = number(time);
      assignments.push(`#t${i} = :t${i}`);
    });
    // An item nobody has reserved on has no `n` (it may exist: `raiseBlock` creates it with only the block).
    const sameCount = change.expected.n === 0 ? 'attribute_not_exists(#n)' : '#n = :n';
    if (change.expected.n !== 0) values[':n'] = number(change.expected.n);
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(budgetKey(robot)),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          // The block only rises, so "not above what this container saw" means "not raised since".
          ConditionExpression: `${sameCount} AND (attribute_not_exists(#b) OR #b <= :b)`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, state: budgetOf(Attributes), requests: 1 };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) return { applied: false, state: budgetOf(error.Item), requests: 1 };
      return { applied: false, state: await this.current(robot, change.expiresAt), requests: 2 };
    }
  }

  /**
   * The item as it is, when a failed condition did not carry it: DynamoDB omits it when the item does not exist,
   * and dynalite always does. An unconditional update that changes nothing but a missing TTL returns it whole and
   * needs no read permission beyond what the function already has.
   */
  private async current(robot: RobotId, expiresAt: number): Promise<BudgetState> {
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(budgetKey(robot)),
        UpdateExpression: 'SET #e = if_not_exists(#e, :e)',
        ExpressionAttributeNames: { '#e': NAMES['#e'] },
        ExpressionAttributeValues: { ':e': number(expiresAt) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return budgetOf(Attributes);
  }

  async raiseBlock(robot: RobotId, until: number, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(budgetKey(robot)),
          // The budget's own TTL already covers the block unless the item is new; DynamoDB has no max() to keep
          // the later of two TTLs, and lowering one could delete a budget that still constrains sends.
          UpdateExpression: 'SET #b = :u, #e = if_not_exists(#e, :e)',
          ConditionExpression: 'attribute_not_exists(#b) OR #b < :u',
          ExpressionAttributeNames: { '#b': NAMES['#b'], '#e': NAMES['#e'] },
          ExpressionAttributeValues: { ':u': number(until), ':e': number(expiresAt) },
        }),
      );
    } catch (error) {
      // Someone already blocked the robot until later: nothing to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...this.key(claimKey(key)), [STATE_TABLE.ttlAttribute]: number(expiresAt) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': NAMES['#pk'] },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private key(pk: string): Item {
    return { [STATE_TABLE.partitionKey]: { S: pk } };
  }
}
