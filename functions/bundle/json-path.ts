const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Formats a path as `$.routes[2].match["kube-wecom/owners"]`, the form every problem report uses. */
export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
