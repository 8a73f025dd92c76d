import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** Where a record came from, as Lambda stamps it on every record of a batch. */
export interface RecordSource {
  eventSourceARN: string;
  awsRegion: string;
}

/** Converts a received SQS message into the record Lambda's event source mapping would hand to the handler. */
export function toSqsRecord(message: Message, source: RecordSource): SQSRecord {
  const record: SQSRecord = {
    messageId: required(message.MessageId, 'MessageId'),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
    body: message.Body ?? '',
    attributes: message.Attributes as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toRecordAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.eventSourceARN,
    awsRegion: source.awsRegion,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

// Lambda spells message attributes in camelCase with binary values as base64 strings, unlike the SQS API.
function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    dataType: value.DataType ?? 'String',
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
  };
  if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
  if (value.BinaryValue !== undefined) attribute.binaryValue = base64(value.BinaryValue);
  return attribute;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`SQS returned a message without ${field}`);
  return value;
}
