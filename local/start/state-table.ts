import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStateTable, startDynamo } from '../../emulators/dynamodb/index.ts';
import { createBudgetClient } from '../../functions/budget/index.ts';

/** The state table of `npm start` and the drills: dynalite in this process, on loopback. */
export interface LocalStateTable {
  endpoint: string;
  tableName: string;
  /** A client of its own, as each Lambda container builds one; destroyed by `stop`. */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite and creates the state table the function expects (the same key schema serverless.yml declares). */
export async function startLocalStateTable(tableName = 'kube-wecom-local-state'): Promise<LocalStateTable> {
  const dynamo = await startDynamo();
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const made = createBudgetClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    clients.push(made);
    return made;
  };
  try {
    await createStateTable(client(), tableName);
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  return {
    endpoint: dynamo.endpoint,
    tableName,
    client,
    async stop() {
      for (const made of clients.splice(0)) made.destroy();
      await dynamo.close();
    },
  };
}
