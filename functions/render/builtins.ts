import type { BUILTIN_TEMPLATES, Msgtype } from '../bundle/index.ts';

/**
 * The built-in templates, one single-event and one digest template per msgtype. They render content only; layout
 * choices follow what WeCom shows well: legacy markdown turns every newline into a line break and knows only
 * bold, quotes and three font colours; markdown_v2 has headings and lists but no colours, so an emoji carries the
 * severity; text is plain.
 */

const lines = (...rows: string[]): string => rows.join('\n');

const TIMES =
  'first <%= it.fmt.time(it.firstSeen) %> · last <%= it.fmt.time(it.lastSeen) %> (<%= it.fmt.ago(it.lastSeen) %>)';
const SOURCE = '<%= it.component %><% if (it.host) { %>, <%= it.host %><% } %>';
const CLUSTER = '<% if (it.cluster) { %> · <%= it.cluster %><% } %>';
const GROUP =
  "<%= Object.entries(it.group).map(([k, v]) => k + '=' + (v === '' ? '(none)' : v)).join(' · ') %>";
const DIGEST_TITLE =
  "<% if (it.cluster) { %><%= it.cluster %>: <% } %><%= it.total %> event<%= it.total === 1 ? '' : 's' %>";
const EVENT_SUMMARY = '<%= it.fmt.oneLine(e.message, 300) %>';
const EACH_EVENT = '<% it.events.forEach((e, i) => { %>';
const END_EACH = '<% }) %>';
const HAS_GROUP = '<% if (Object.keys(it.group).length > 0) { %>';
const END_IF = '<% } %>';

const markdown = lines(
  `<font color="<%= it.color %>"><%= it.type %></font> **<%= it.reason %>**${CLUSTER}`,
  '> <%= it.kind %> **<%= it.object %>**',
  '<% if (it.message) { %>',
  '<%= it.message %>',
  END_IF,
  `<font color="comment">×<%= it.count %> · ${TIMES}</font>`,
  `<font color="comment">${SOURCE}</font>`,
);

const markdownDigest = lines(
  `**${DIGEST_TITLE}**<% if (it.warnings) { %> · <font color="warning"><%= it.warnings %> Warning</font><% } %><% if (it.part.label) { %> <%= it.part.label %><% } %>`,
  HAS_GROUP,
  `<font color="comment">${GROUP}</font>`,
  END_IF,
  EACH_EVENT,
  '<font color="<%= e.color %>">●</font> **<%= e.reason %>** <%= e.kind %> <%= e.object %> ×<%= e.count %> <font color="comment"><%= it.fmt.ago(e.lastSeen) %></font>',
  '<% if (e.message) { %>',
  `> ${EVENT_SUMMARY}`,
  END_IF,
  END_EACH,
);

const markdownV2 = lines(
  "### <%= it.type === 'Warning' ? '⚠️' : 'ℹ️' %> <%= it.type %>: <%= it.reason %>",
  '',
  `**<%= it.kind %> <%= it.object %>**${CLUSTER}`,
  '',
  '<% if (it.message) { %>',
  '<%= it.message %>',
  '',
  END_IF,
  '- Count: <%= it.count %>',
  '- First seen: <%= it.fmt.time(it.firstSeen) %>',
  '- Last seen: <%= it.fmt.time(it.lastSeen) %> (<%= it.fmt.ago(it.lastSeen) %>)',
  `- Source: ${SOURCE}`,
);

const markdownV2Digest = lines(
  `### ${DIGEST_TITLE}<% if (it.warnings) { %> (⚠️ <%= it.warnings %> Warning)<% } %><% if (it.part.label) { %> <%= it.part.label %><% } %>`,
  '',
  HAS_GROUP,
  `> ${GROUP}`,
  '',
  END_IF,
  EACH_EVENT,
  "- <%= e.type === 'Warning' ? '⚠️' : 'ℹ️' %> **<%= e.reason %>** <%= e.kind %> <%= e.object %> ×<%= e.count %> (<%= it.fmt.ago(e.lastSeen) %>)<% if (e.message) { %>: " +
    `${EVENT_SUMMARY}<% } %>`,
  END_EACH,
);

const text = lines(
  `[<%= it.type %>] <%= it.reason %>${CLUSTER}`,
  '<%= it.kind %> <%= it.object %>',
  '<% if (it.message) { %>',
  '<%= it.message %>',
  END_IF,
  `×<%= it.count %> · ${TIMES}`,
  `Source: ${SOURCE}`,
);

const textDigest = lines(
  `${DIGEST_TITLE}<% if (it.warnings) { %>, <%= it.warnings %> Warning<% } %><% if (it.part.label) { %> <%= it.part.label %><% } %>`,
  HAS_GROUP,
  GROUP,
  END_IF,
  EACH_EVENT,
  '<%= it.offset + i + 1 %>. [<%= e.type %>] <%= e.reason %> <%= e.kind %> <%= e.object %> ×<%= e.count %> (<%= it.fmt.ago(e.lastSeen) %>)',
  '<% if (e.message) { %>',
  `   ${EVENT_SUMMARY}`,
  END_IF,
  END_EACH,
);

/** Template sources by built-in name (every name in rules' `BUILTIN_TEMPLATES`). */
export const BUILTIN_SOURCES: Record<(typeof BUILTIN_TEMPLATES)[number], string> = {
  'builtin/text': text,
  'builtin/text-digest': textDigest,
  'builtin/markdown': markdown,
  'builtin/markdown-digest': markdownDigest,
  'builtin/markdown_v2': markdownV2,
  'builtin/markdown_v2-digest': markdownV2Digest,
};

/** The built-in template names used when a receiver names none. */
export function builtinNames(msgtype: Msgtype): { single: string; digest: string } {
  return { single: `builtin/${msgtype}`, digest: `builtin/${msgtype}-digest` };
}
