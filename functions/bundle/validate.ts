// Longer than our ~250-line guide on purpose: the checks of a bundle's meaning (references that resolve,
// patterns that compile, limits that hold, templates that pass the guard) walk one parsed bundle and report
// into one problem list with JSON paths; split across files they would share that walk and its path helpers.
import type { z } from 'zod';
import type { BundleProblem } from './errors.ts';
import { jsonPath } from './json-path.ts';
import { compilePattern } from '../rules/index.ts';
import { knownFieldsAt } from './known-fields.ts';
import { checkChannelFields } from './channel-check.ts';
import { bundleSchema, CONTENT_LIMITS, ROBOT_MESSAGES_PER_MINUTE } from './schema.ts';
import type { Bundle, Msgtype } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { BUILTIN_TEMPLATES, checkTemplate } from './template-check.ts';
import { allowedHostsFromEnv, checkWebhookUrl, isWecomUserId } from '../channels/wecom/index.ts';

/** The outcome of validating a bundle: a usable bundle only when there are no problems. */
export interface ValidationResult {
  bundle: Bundle | undefined;
  problems: BundleProblem[];
  warnings: BundleProblem[];
}

type Path = Array<string | number>;
type Json = Record<string, unknown>;

const PATTERN_KEYS = [
  'namespaces',
  'kinds',
  'names',
  'reasons',
  'messages',
  'components',
  'hosts',
  'clusters',
];
const ENV_REF = /^env:[A-Za-z_][A-Za-z0-9_]*$/;
const SSM_REF = /^ssm:\/[A-Za-z0-9_.\-/]+$/;

/** What validation checks against that is not in the bundle. */
export interface ValidationOptions {
  /**
   * Hosts a literal webhook URL may point at besides WeCom, as the function's `KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS`
   * lists them; default: that variable in this process's environment.
   */
  allowedHosts?: readonly string[];
}

/**
 * Validates a parsed bundle: the schema first, then the meaning (references, patterns, templates, limits).
 * Every problem is reported at once with its JSON path; the semantic checks read the raw input defensively,
 * so they run even where the schema already failed elsewhere.
 */
export function validateBundle(input: unknown, options: ValidationOptions = {}): ValidationResult {
  const problems: BundleProblem[] = [];
  const warnings: BundleProblem[] = [];
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => fromZodIssue(issue, [])));
  const allowedHosts = options.allowedHosts ?? allowedHostsFromEnv();
  if (isObject(input)) checkMeaning(input, allowedHosts, problems, warnings);
  return { bundle: problems.length === 0 && parsed.success ? parsed.data : undefined, problems, warnings };
}

function checkMeaning(
  bundle: Json,
  allowedHosts: readonly string[],
  problems: BundleProblem[],
  warnings: BundleProblem[],
): void {
  const error = (path: Path, message: string) => problems.push({ path: jsonPath(path), message });
  const warn = (path: Path, message: string) => warnings.push({ path: jsonPath(path), message });
  const receivers = isObject(bundle.receivers) ? bundle.receivers : {};
  const templates = isObject(bundle.templates) ? bundle.templates : {};
  const usedReceivers = new Set<string>();
  const usedTemplates = new Set<string>();

  if (typeof bundle.timezone === 'string' && !isTimeZone(bundle.timezone)) {
    error(
      ['timezone'],
      `unknown time zone ${JSON.stringify(bundle.timezone)} (use an IANA name such as Asia/Shanghai)`,
    );
  }

  const routeNames = new Map<string, number>();
  eachItem(bundle.routes, (route, i) => {
    const at: Path = ['routes', i];
    if (typeof route.name === 'string') {
      const first = routeNames.get(route.name);
      if (first !== undefined) error([...at, 'name'], `duplicate route name (also $.routes[${first}].name)`);
      else routeNames.set(route.name, i);
    }
    checkMatcher(route.match, [...at, 'match'], error);
    checkMentions(route.mentions, [...at, 'mentions'], error);
    if (Array.isArray(route.exclude))
      eachItem(route.exclude, (m, j) => checkMatcher(m, [...at, 'exclude', j], error));
    else checkMatcher(route.exclude, [...at, 'exclude'], error);
    if (Array.isArray(route.receivers)) {
      route.receivers.forEach((name, j) => {
        if (typeof name !== 'string') return;
        usedReceivers.add(name);
        if (!Object.hasOwn(receivers, name))
          error(
            [...at, 'receivers', j],
            `unknown receiver ${JSON.stringify(name)}${didYouMean(name, Object.keys(receivers))}`,
          );
      });
    }
  });

  eachItem(bundle.silences, (silence, i) => {
    checkMatcher(silence.match, ['silences', i, 'match'], error);
    const starts = typeof silence.startsAt === 'string' ? Date.parse(silence.startsAt) : NaN;
    const ends = typeof silence.endsAt === 'string' ? Date.parse(silence.endsAt) : NaN;
    if (starts >= ends) error(['silences', i, 'endsAt'], 'must be after startsAt');
  });

  for (const [name, receiver] of Object.entries(receivers)) {
    if (!isObject(receiver)) continue;
    const at: Path = ['receivers', name];
    // The other channels' URLs and limits are checked with their fields.
    const wecom = receiver.channel === undefined || receiver.channel === 'wecom';
    // A WeCom robot's literal URL is checked as the function would send to it; the others', with their fields.
    const sendsTo = wecom ? allowedHosts : undefined;
    checkWebhook(receiver.webhook, [...at, 'webhook'], sendsTo, error, warn);
    if (Array.isArray(receiver.pool)) {
      receiver.pool.forEach((webhook, i) => checkWebhook(webhook, [...at, 'pool', i], sendsTo, error, warn));
    }
    checkMentions(receiver.mentions, [...at, 'mentions'], error);
    checkChannelFields(receiver, at, error, warn);
    const msgtype = (typeof receiver.msgtype === 'string' ? receiver.msgtype : 'markdown') as Msgtype;
    for (const key of ['template', 'digestTemplate', 'bodyTemplate']) {
      const ref = receiver[key];
      if (typeof ref !== 'string') continue;
      usedTemplates.add(ref);
      const known = Object.hasOwn(templates, ref) || (BUILTIN_TEMPLATES as readonly string[]).includes(ref);
      if (!known)
        error(
          [...at, key],
          `unknown template ${JSON.stringify(ref)}${didYouMean(ref, [...Object.keys(templates), ...BUILTIN_TEMPLATES])}`,
        );
    }
    if (
      receiver.bodyTemplate !== undefined &&
      (receiver.template !== undefined || receiver.digestTemplate !== undefined)
    ) {
      error(
        [...at, 'bodyTemplate'],
        'a full-body template replaces template and digestTemplate; set one or the other',
      );
    }
    if (
      wecom &&
      typeof receiver.maxMessagesPerMinute === 'number' &&
      receiver.maxMessagesPerMinute > ROBOT_MESSAGES_PER_MINUTE
    ) {
      error(
        [...at, 'maxMessagesPerMinute'],
        `WeCom allows at most ${ROBOT_MESSAGES_PER_MINUTE} messages per minute per robot`,
      );
    }
    const limit = CONTENT_LIMITS[msgtype];
    if (wecom && limit !== undefined && typeof receiver.maxBytes === 'number' && receiver.maxBytes > limit) {
      error(
        [...at, 'maxBytes'],
        `${msgtype} content is limited to ${limit} bytes by WeCom; maxBytes may only lower it`,
      );
    }
    if (!usedReceivers.has(name)) warn(at, 'receiver is not used by any route');
  }

  for (const [name, source] of Object.entries(templates)) {
    const at: Path = ['templates', name];
    if (BUILTIN_TEMPLATES.includes(name as (typeof BUILTIN_TEMPLATES)[number]))
      error(at, 'names starting with "builtin/" are reserved');
    if (typeof source === 'string') {
      for (const problem of checkTemplate(source)) {
        error(at, problem.line ? `line ${problem.line}: ${problem.message}` : problem.message);
      }
    }
    if (!usedTemplates.has(name)) warn(at, 'template is not used by any receiver');
  }
}

function checkMatcher(matcher: unknown, at: Path, error: (path: Path, message: string) => void): void {
  if (!isObject(matcher)) return;
  if (matcher.level !== undefined && matcher.types !== undefined) {
    error([...at, 'level'], 'set either level (kube-eventer shorthand) or types, not both');
  }
  for (const key of PATTERN_KEYS) {
    const list = matcher[key];
    if (!Array.isArray(list)) continue;
    list.forEach((pattern, i) => checkPattern(pattern, [...at, key, i], error));
  }
  if (isObject(matcher.namespaceLabels)) {
    for (const [label, pattern] of Object.entries(matcher.namespaceLabels)) {
      checkPattern(pattern, [...at, 'namespaceLabels', label], error);
    }
  }
}

function checkPattern(pattern: unknown, at: Path, error: (path: Path, message: string) => void): void {
  if (typeof pattern !== 'string') return;
  try {
    compilePattern(pattern);
  } catch (err) {
    error(at, `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/**
 * A literal webhook URL must be one the function would send to (`checkWebhookUrl`, against the allow-list the
 * function's environment would give it), so that a bundle aimed at `http://169.254.169.254/` or at a look-alike
 * host fails here, not at 3 a.m. A key in any literal URL is also a warning, whatever its host or spelling.
 */
function checkWebhook(
  webhook: unknown,
  at: Path,
  /** The hosts a WeCom robot's literal URL may name; undefined for another channel's URL. */
  allowedHosts: readonly string[] | undefined,
  error: (path: Path, message: string) => void,
  warn: (path: Path, message: string) => void,
): void {
  if (typeof webhook !== 'string' || webhook === '') return;
  if (webhook.startsWith('env:')) {
    if (!ENV_REF.test(webhook)) error(at, 'expected env:NAME with NAME an environment variable name');
    return;
  }
  if (webhook.startsWith('ssm:')) {
    if (!SSM_REF.test(webhook)) error(at, 'expected ssm:/path/to/parameter');
    return;
  }
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    error(at, 'expected env:NAME, ssm:/path or an http(s) URL');
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    error(at, `unsupported URL scheme ${url.protocol} (expected https: or http:)`);
    return;
  }
  if (!allowedHosts) return;
  try {
    checkWebhookUrl(webhook, allowedHosts);
  } catch (err) {
    error(at, (err as Error).message);
  }
  if ([...url.searchParams].some(([name, value]) => name.toLowerCase() === 'key' && value !== '')) {
    warn(
      at,
      'a literal WeCom robot key sits in the bundle; store it in SSM or an environment variable (ssm:/… or env:…)',
    );
  }
}

/** User ids the renderer would drop (not WeCom ids, or @all spelt as a user) are refused where they are written. */
function checkMentions(mentions: unknown, at: Path, error: (path: Path, message: string) => void): void {
  if (!isObject(mentions) || !Array.isArray(mentions.users)) return;
  mentions.users.forEach((user, i) => {
    if (typeof user !== 'string' || isWecomUserId(user)) return;
    error(
      [...at, 'users', i],
      `${JSON.stringify(user)} is not a WeCom user id (1–64 letters, digits and _-@.); to @ everyone set "all": true`,
    );
  });
}

/** Maps a zod issue to problems, choosing the closest branch of a union rather than reporting them all. */
function fromZodIssue(issue: z.core.$ZodIssue, prefix: Path): BundleProblem[] {
  const path: Path = [...prefix, ...(issue.path as Path)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: jsonPath([...path, key]),
        message: `unknown field${didYouMean(key, knownFieldsAt(bundleSchema, path))}`,
      }));
    case 'invalid_union': {
      const branches = issue.errors.filter((branch) => branch.length > 0);
      const closest = branches.sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
      if (closest && depth(closest) > 0) return closest.flatMap((inner) => fromZodIssue(inner, path));
      return [{ path: jsonPath(path), message: issue.message }];
    }
    default:
      return [{ path: jsonPath(path), message: issue.message }];
  }
}

function depth(issues: z.core.$ZodIssue[]): number {
  return Math.max(...issues.map((issue) => issue.path.length));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function eachItem(list: unknown, visit: (item: Json, index: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (isObject(item)) visit(item, i);
  });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
