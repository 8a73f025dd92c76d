/**
 * The state table's shape, defined once: `emulators/dynamodb` creates it from this, the DynamoDB store names its
 * attributes from it, and the packaging test checks that serverless.yml declares the same key and TTL attribute.
 */
export const STATE_TABLE = {
  partitionKey: 'pk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after. */
  ttlAttribute: 'expiresAt',
  keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
} as const;

/** Partition keys: one budget item per robot, one claim item per `repeat.every` notification. */
export const budgetKey = (robot: string) => `robot#${robot}`;
export const claimKey = (key: string) => `repeat#${key}`;
