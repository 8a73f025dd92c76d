import { createHash, createHmac } from 'node:crypto';

/** AWS credentials as the SDK's credential providers return them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One request to sign; header names in lower case, `path` already URI-encoded. */
export interface SignInput {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Hex SHA-256 of the body. */
  payloadHash: string;
  region: string;
  service: string;
  /** `YYYYMMDDTHHMMSSZ`, also sent as `x-amz-date`. */
  amzDate: string;
  credentials: Credentials;
}

/**
 * AWS Signature Version 4 for one request: the `Authorization` header value over every header given. The
 * derived signing key depends only on the secret, day, region and service, so it is kept for the next request
 * instead of four HMACs per call.
 */
export class SigV4Signer {
  private key: { id: string; value: Buffer } | undefined;

  authorization(input: SignInput): string {
    const names = Object.keys(input.headers).sort();
    let canonicalHeaders = '';
    for (const name of names)
      canonicalHeaders += `${name}:${input.headers[name]!.trim().replace(/\s+/g, ' ')}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `${input.method}\n${input.path}\n\n${canonicalHeaders}\n${signedHeaders}\n${input.payloadHash}`;
    const day = input.amzDate.slice(0, 8);
    const scope = `${day}/${input.region}/${input.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${input.amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(input, day)).update(stringToSign).digest('hex');
    return `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  private signingKey(input: SignInput, day: string): Buffer {
    const id = `${input.credentials.secretAccessKey}\n${day}\n${input.region}\n${input.service}`;
    if (this.key?.id !== id) {
      let key = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
      for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
      this.key = { id, value: key };
    }
    return this.key.value;
  }
}

/** Hex SHA-256, for payload hashes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `x-amz-date` for a time: ISO 8601 basic format in UTC. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
