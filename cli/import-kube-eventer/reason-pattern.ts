/**
 * kube-eventer's `reason` patterns are Go (RE2) regular expressions tested with `regexp.Match`, unanchored: a
 * pattern matches when it matches anywhere in the reason. Ours are anchored JavaScript patterns, so each becomes
 * `.*(?:p).*` with the few Go-only syntax forms rewritten; meaning is kept, and misreadings are explained.
 */

/** Common Event reasons from the kubelet, scheduler and controllers, used to show what a pattern really matches. */
export const COMMON_REASONS = [
  'BackOff',
  'Unhealthy',
  'Failed',
  'FailedScheduling',
  'FailedMount',
  'FailedAttachVolume',
  'FailedCreatePodSandBox',
  'FailedKillPod',
  'FailedSync',
  'FailedCreate',
  'OOMKilling',
  'SystemOOM',
  'Evicted',
  'Preempted',
  'Killing',
  'Pulling',
  'Pulled',
  'Created',
  'Started',
  'Scheduled',
  'SuccessfulCreate',
  'SuccessfulDelete',
  'ScalingReplicaSet',
  'NodeNotReady',
  'NodeReady',
  'NodeHasDiskPressure',
  'EvictionThresholdMet',
  'Rebooted',
  'NetworkNotReady',
  'ProbeWarning',
  'BackoffLimitExceeded',
  'Completed',
  'SawCompletedJob',
  'ImageGCFailed',
  'FailedGetResourceMetric',
  'LeaderElection',
] as const;

/** The translation of one reason pattern. */
export interface ReasonPattern {
  /** The pattern as kube-eventer read it. */
  source: string;
  /** Our anchored pattern; undefined when the pattern never matched in kube-eventer (Go refused to compile it). */
  pattern: string | undefined;
  /** Meaning kept, but worth telling (rewritten syntax, a probable misreading). */
  notes: string[];
  /** A person must look at it (a Go feature with no JavaScript equivalent). */
  human: string[];
  /** Set when the pattern is the `[^X]` misreading: the reasons the user probably meant to exclude. */
  probablyMeantExclude?: string;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Translates one kube-eventer reason pattern. */
export function translateReason(source: string): ReasonPattern {
  const notes: string[] = [];
  const human: string[] = [];
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]/.test(source)) {
    return {
      source,
      pattern: undefined,
      notes,
      human: [
        `Go's regexp has no lookaround or backreferences: kube-eventer could not compile ${quote(source)}, so it never matched; it is left out`,
      ],
    };
  }
  let js = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, literal: string) => escapeRegex(literal))
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negated: string, name: string) => {
      const range = POSIX_CLASSES[name];
      if (!range) return whole;
      if (negated)
        human.push(`the negated POSIX class ${whole} has no JavaScript form; check the translation`);
      return range;
    });
  const flags = /^\(\?([imsU]+)\)/.exec(js);
  if (flags) {
    js = js.slice(flags[0].length);
    human.push(
      `the Go flags (?${flags[1]}) have no equivalent in kube-wecom patterns (case-sensitive, anchored); they were removed: check the pattern`,
    );
  }
  if (/\\[pP]/.test(js))
    human.push('Unicode classes (\\p{…}) are not supported by kube-wecom patterns; rewrite this pattern');
  if (js !== source && human.length === 0)
    notes.push(`Go syntax rewritten for JavaScript: ${quote(source)} → ${quote(js)}`);

  try {
    new RegExp(js);
  } catch (err) {
    human.push(`${quote(source)} is not a valid pattern here (${(err as Error).message}); it is left out`);
    return { source, pattern: undefined, notes, human };
  }

  const misuse = negatedClassMisuse(source);
  const anchored = /^\^([A-Za-z0-9_-]+)\$$/.exec(js);
  const pattern = anchored ? anchored[1]! : nonEmptyReasonPattern(js, human);
  return {
    source,
    pattern,
    notes: misuse ? [...notes, misuse.note] : notes,
    human,
    ...(misuse ? { probablyMeantExclude: misuse.exclude } : {}),
  };
}

/** Assertions, which make where in the reason a pattern matches the empty string matter. */
const ASSERTION = /[\^$]|\\[bBAz]/;

/**
 * Our pattern for a kube-eventer pattern that may match anywhere in the reason. kube-eventer drops events whose
 * reason is empty before matching, so a pattern that matches "" must not pass them; kube-wecom patterns run on
 * RE2, which has no lookahead to say "not empty". Without assertions such a pattern matches every reason, so it
 * becomes `.+`; with them (`^$`, `\b`) no RE2 pattern says it, and a person must look.
 */
function nonEmptyReasonPattern(js: string, human: string[]): string {
  const anywhere = `.*(?:${js}).*`;
  if (!new RegExp(js).test('')) return anywhere;
  if (!ASSERTION.test(js)) return '.+';
  human.push(
    `${quote(js)} matches an empty reason, which kube-eventer never passes and the imported pattern does: add "exclude": { "reasons": [""] } to the route`,
  );
  return anywhere;
}

/**
 * Recognises `[^Unhealthy]`: written to mean "not Unhealthy", it is a class of single characters, so it matches any
 * reason containing one character outside the set, and drops only reasons spelt entirely from it.
 */
function negatedClassMisuse(source: string): { note: string; exclude: string } | undefined {
  const match = /^\[\^([^\]\\]{2,})\]$/.exec(source);
  if (!match) return undefined;
  const chars = [...new Set(match[1]!)];
  const regex = new RegExp(source);
  const dropped = COMMON_REASONS.filter((reason) => !regex.test(reason));
  const word = match[1]!.replace(/[^A-Za-z0-9]/g, '');
  return {
    note:
      `${quote(source)} is a character class, not "everything but ${word}": it matches every reason that contains ` +
      `a character other than ${chars.join(' ')}, so it drops only reasons spelt entirely from those characters ` +
      `(${dropped.length > 0 ? `of the common reasons: ${dropped.join(', ')}` : 'none of the common reasons'}). ` +
      `The import keeps that meaning. If you meant every reason except ${word}, replace the reasons filter with ` +
      `exclude: { reasons: [${JSON.stringify(word)}] }.`,
    exclude: word,
  };
}

/** Escapes text so that it matches itself inside a pattern. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function quote(text: string): string {
  return `"${text}"`;
}
