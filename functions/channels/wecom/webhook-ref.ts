import type { GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { SsmWebhookError, WebhookRefError, type SsmFailure } from './errors.ts';
import { WECOM_WEBHOOK_URL } from './webhook-url.ts';

/** The part of an SSM client the resolver uses: `send(new GetParametersCommand(...))`. */
export type SsmSender = Pick<SSMClient, 'send'>;

/** Construction options of `WebhookResolver`. */
export interface WebhookResolverOptions {
  /** Where `env:NAME` references are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The SSM client for `ssm:/path` references; default: an `SSMClient` built on first use from the environment. */
  ssm?: SsmSender;
}

// SSM's GetParameters accepts at most 10 names per call.
const SSM_BATCH = 10;
const KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Turns a receiver's `webhook` reference into the URL to POST to: `env:NAME` (the variable holds a bare key or a
 * full URL), `ssm:/path` (a SecureString holding either, read with decryption), or a literal `http(s)://` URL.
 * SSM values are fetched in batches of 10 and cached for the life of the resolver (one per cold start); failures
 * are not cached, so a throttled cold start can try again. Resolved values are secrets: they are never logged and
 * never appear in errors. Whether the URL's host is allowed is checked by the client at send time.
 */
export class WebhookResolver {
  private readonly env: NodeJS.ProcessEnv;
  private ssm: SsmSender | undefined;
  private readonly ssmCache = new Map<string, Promise<string>>();

  constructor(options: WebhookResolverOptions = {}) {
    this.env = options.env ?? process.env;
    this.ssm = options.ssm;
  }

  /** Resolves one reference. */
  async resolve(ref: string): Promise<string> {
    return (await this.resolveAll([ref])).get(ref)!;
  }

  /** Resolves many references at once, so SSM parameters share `GetParameters` calls. Rejects on the first failure. */
  async resolveAll(refs: readonly string[]): Promise<Map<string, string>> {
    this.fetchMissing(refs);
    const entries = await Promise.all(refs.map(async (ref) => [ref, await this.resolveOne(ref)] as const));
    return new Map(entries);
  }

  /**
   * Resolves a secret that is not a webhook (a robot's signing secret, an application's corp secret, a header
   * value) to its value as stored: `env:NAME` or `ssm:/path` only, since a literal secret has no place in a bundle.
   */
  async resolveSecret(ref: string): Promise<string> {
    if (ref.startsWith('env:')) {
      const value = this.env[ref.slice(4)];
      if (!value)
        throw new WebhookRefError(ref, `environment variable ${ref.slice(4)} is not set or empty`, false);
      return value;
    }
    if (!ref.startsWith('ssm:'))
      throw new WebhookRefError('(literal)', 'expected env:NAME or ssm:/path', false);
    this.fetchMissing([ref]);
    return this.ssmCache.get(ssmName(ref))!;
  }

  private fetchMissing(refs: readonly string[]): void {
    const missing = [...new Set(refs.filter((r) => r.startsWith('ssm:')).map(ssmName))].filter(
      (name) => !this.ssmCache.has(name),
    );
    for (let i = 0; i < missing.length; i += SSM_BATCH) this.fetchSsm(missing.slice(i, i + SSM_BATCH));
  }

  private async resolveOne(ref: string): Promise<string> {
    if (ref.startsWith('env:') || ref.startsWith('ssm:'))
      return toWebhookUrl(ref, await this.resolveSecret(ref));
    if (/^https?:\/\//i.test(ref)) {
      if (!URL.canParse(ref)) throw new WebhookRefError('(literal URL)', 'not a valid URL', false);
      return ref;
    }
    throw new WebhookRefError(
      ref.includes(':') ? ref.slice(0, ref.indexOf(':') + 1) + '…' : '(bare value)',
      'expected env:NAME, ssm:/path or an http(s) URL',
      false,
    );
  }

  private fetchSsm(names: string[]): void {
    const batch = this.getParameters(names);
    for (const name of names) {
      const value = batch.then((values) => {
        const v = values.get(name);
        if (v === undefined)
          throw new SsmWebhookError(`ssm:${name}`, 'parameter-not-found', 'SSM parameter not found');
        return v;
      });
      // Forget failures so the next resolve asks again; mark the rejection handled (the caller sees it via await).
      value.catch(() => this.ssmCache.delete(name));
      this.ssmCache.set(name, value);
    }
  }

  private async getParameters(names: string[]): Promise<Map<string, string>> {
    const { GetParametersCommand, SSMClient } = await import('./ssm-client.ts');
    this.ssm ??= new SSMClient({});
    let out: GetParametersCommandOutput;
    try {
      out = await this.ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    } catch (err) {
      const { failure, reason } = classifySsmFailure(err as SdkError);
      throw new SsmWebhookError(names.map((n) => `ssm:${n}`).join(', '), failure, reason);
    }
    return new Map(
      (out.Parameters ?? []).flatMap((p) => (p.Name && p.Value !== undefined ? [[p.Name, p.Value]] : [])),
    );
  }
}

/** What the AWS SDK puts on the errors it throws; client-side failures (region, credentials, network) lack `$metadata`. */
interface SdkError {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

// Error names of credentials AWS does not accept, as SSM and STS report them.
const REJECTED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

function classifySsmFailure(e: SdkError): { failure: SsmFailure; reason: string } {
  const status = e.$metadata?.httpStatusCode;
  // The SDK throws a plain Error for a missing region, so its message is all there is to go on.
  if (status === undefined && /region is missing/i.test(e.message ?? ''))
    return { failure: 'no-region', reason: 'no AWS region is configured' };
  if (e.name === 'CredentialsProviderError' || e.name === 'TokenProviderError')
    return { failure: 'no-credentials', reason: `no AWS credentials found (${e.message ?? e.name})` };
  if (e.name !== undefined && REJECTED_CREDENTIALS.has(e.name))
    return { failure: 'credentials-rejected', reason: `AWS rejected the credentials (${e.name})` };
  if (e.name === 'AccessDeniedException')
    return { failure: 'access-denied', reason: `access denied: ${e.message ?? e.name}` };
  if (e.name === 'ThrottlingException' || status === 429)
    return { failure: 'throttled', reason: 'SSM throttled the request' };
  if (status !== undefined && status >= 500)
    return { failure: 'server-error', reason: `SSM answered HTTP ${status} (${e.name ?? 'Error'})` };
  // No HTTP answer at all (DNS, refused connection, timeout), or one the SDK itself would retry.
  if (status === undefined || e.$retryable != null)
    return { failure: 'unreachable', reason: `cannot reach SSM: ${e.message ?? e.name ?? 'Error'}` };
  const detail = e.message ? `: ${e.message}` : '';
  return { failure: 'unexpected', reason: `SSM GetParameters failed: ${e.name ?? 'Error'}${detail}` };
}

function ssmName(ref: string): string {
  return ref.slice(4);
}

/** A secret value is either a full webhook URL or a bare key for WeCom's endpoint; anything else is refused unseen. */
function toWebhookUrl(ref: string, value: string): string {
  const v = value.trim();
  if (/^https?:\/\//i.test(v)) {
    if (!URL.canParse(v))
      throw new WebhookRefError(ref, 'the value looks like a URL but does not parse', false);
    return v;
  }
  if (KEY.test(v)) return `${WECOM_WEBHOOK_URL}?key=${v}`;
  throw new WebhookRefError(ref, 'the value is neither a webhook URL nor a webhook key', false);
}
