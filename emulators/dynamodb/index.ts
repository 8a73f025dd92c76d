import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STATE_TABLE } from '../../functions/budget/index.ts';

/** A DynamoDB-protocol server (dynalite, in memory) on loopback. */
export interface DynamoEmulator {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 and a port the system picks. Tables are ACTIVE at once, so a test or `npm start`
 * can write right after creating one. Any credentials and region will do: dynalite checks neither.
 */
export async function startDynamo(): Promise<DynamoEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets of clients that were not destroyed would hold close() open.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Creates the state table with the key schema the function expects (`STATE_TABLE`, which serverless.yml also
 * declares). dynalite has no TimeToLive API, and nothing local lives long enough to need it.
 */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [...STATE_TABLE.keySchema],
      AttributeDefinitions: [...STATE_TABLE.attributeDefinitions],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
