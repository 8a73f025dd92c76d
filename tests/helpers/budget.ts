import { createStateTable, startDynamo, type DynamoEmulator } from '../../emulators/dynamodb/index.ts';
import {
  BudgetLedger,
  createBudgetClient,
  DynamoBudgetStore,
  type BudgetLedgerOptions,
  type BudgetStore,
  MemoryBudgetStore,
} from '../../functions/budget/index.ts';
import type { MessageSender } from '../../functions/pipeline/index.ts';

/** A logger port that keeps what the ledger warned about. */
export function recordingLogger() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  return {
    warnings,
    warn: (message: string, fields: Record<string, unknown>) => void warnings.push({ message, fields }),
  };
}

/** A ledger on `store` with a recording logger; each one is a separate container with its own cache. */
export function aLedger(store: BudgetStore, options: Omit<BudgetLedgerOptions, 'store' | 'logger'> = {}) {
  const logger = recordingLogger();
  return { ledger: new BudgetLedger({ store, logger, ...options }), logger };
}

/** The client a container builds for the table at `endpoint`, with dummy credentials dynalite accepts. */
export const aBudgetClient = (endpoint: string) =>
  createBudgetClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

/** dynalite with the state table created from the shared schema. */
export interface StateTable {
  dynamo: DynamoEmulator;
  tableName: string;
  /** A store with a client of its own, as a separate container would have; destroyed by `close`. */
  store(endpoint?: string): DynamoBudgetStore;
  close(): Promise<void>;
}

export async function startStateTable(tableName = 'kube-wecom-test-state'): Promise<StateTable> {
  const dynamo = await startDynamo();
  const clients = [aBudgetClient(dynamo.endpoint)];
  await createStateTable(clients[0]!, tableName);
  return {
    dynamo,
    tableName,
    store(endpoint = dynamo.endpoint) {
      const client = aBudgetClient(endpoint);
      clients.push(client);
      return new DynamoBudgetStore(client, tableName);
    },
    async close() {
      for (const client of clients) client.destroy();
      await dynamo.close();
    },
  };
}

/** A `reserve` that grants every slot asked for, at once: for senders in tests of what comes after the budget. */
export const grantAll: MessageSender['reserve'] = async (_receiver, wanted, now) => ({
  slots: Array.from({ length: wanted }, () => ({ webhook: 0, at: now })),
  nextFreeAt: now,
  source: 'table',
});

/** A ledger in memory, as one process without a state table has. */
export const memoryLedger = () => aLedger(new MemoryBudgetStore()).ledger;
