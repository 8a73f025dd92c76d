import { redactUrl } from './redact.ts';
import { ChannelError } from './errors.ts';
import type { ChannelName } from './types.ts';

/** A platform's own endpoint: requests may go there without configuration. */
export interface OfficialEndpoint {
  origin: string;
  /** The path must start with this. */
  pathPrefix: string;
}

/** The URL is malformed, carries credentials, or points at a host that is not allowed; nothing was sent. */
export class ChannelEndpointError extends ChannelError {
  override name = 'ChannelEndpointError';
  constructor(channel: ChannelName, reason: string) {
    super(reason, channel, null, reason, false, 0);
  }
}

/**
 * Checks a URL before anything is sent to it, so that a rules bundle cannot point the function at arbitrary hosts
 * (SSRF): it must be one of the platform's own endpoints over https, or on a host the deployment allows
 * (`host[:port]` entries, e.g. an emulator on 127.0.0.1). Returns the redacted form for errors and logs.
 */
export function checkEndpoint(
  channel: ChannelName,
  url: string,
  official: readonly OfficialEndpoint[],
  allowedHosts: readonly string[],
): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelEndpointError(channel, `the ${channel} URL is not a valid URL`);
  }
  const redacted = redactUrl(url);
  if (parsed.username || parsed.password) {
    throw new ChannelEndpointError(channel, `the ${channel} URL ${redacted} must not carry credentials`);
  }
  const isOfficial = official.some(
    (o) => parsed.origin === o.origin && parsed.pathname.startsWith(o.pathPrefix),
  );
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const allowListed =
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    allowedHosts.some(
      (h) => h.toLowerCase() === parsed.host || h.toLowerCase() === `${parsed.hostname}:${port}`,
    );
  if (!isOfficial && !allowListed) {
    throw new ChannelEndpointError(
      channel,
      `the ${channel} URL ${redacted} is not allowed: use ${official.map((o) => o.origin + o.pathPrefix).join(' or ')}, or allow ${parsed.host} in the deployment`,
    );
  }
  return redacted;
}
