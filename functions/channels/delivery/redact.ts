/** Query parameters that carry a robot token, an access token or a signature. */
const SECRET_PARAMS = ['access_token', 'key', 'token', 'sign', 'corpsecret'];

/**
 * A URL safe for logs and errors: secret query values and the last path segment (Feishu puts the robot's token
 * there) show only their last 4 characters. Anything that does not parse is replaced entirely.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable URL]';
  }
  parsed.username = parsed.username ? '****' : '';
  parsed.password = '';
  for (const name of SECRET_PARAMS) {
    const value = parsed.searchParams.get(name);
    if (value !== null) parsed.searchParams.set(name, mask(value));
  }
  const segments = parsed.pathname.split('/');
  const last = segments.at(-1) ?? '';
  if (last.length >= 16) {
    segments[segments.length - 1] = mask(last);
    parsed.pathname = segments.join('/');
  }
  return parsed.toString();
}

function mask(secret: string): string {
  return secret.length >= 8 ? `****${secret.slice(-4)}` : '****';
}
