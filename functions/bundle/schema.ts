import { z } from 'zod';
import { ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/index.ts';
import { channelFields, RECEIVER_MSGTYPES } from './channel-schema.ts';
import { parseDuration } from './duration.ts';

export { CONTENT_LIMITS, MSGTYPES, ROBOT_MESSAGES_PER_MINUTE } from '../channels/wecom/index.ts';
export type { Msgtype } from '../channels/wecom/index.ts';

/**
 * The rules bundle, format version 1 (Contract 3). This schema is the one source of truth: it validates bundles,
 * gives the TypeScript types, and generates `config/schema.json` for editors. Every object is strict, so a typo
 * in a field name is an error instead of a silently disabled filter.
 */

const patternList = z
  .array(z.string())
  .min(1)
  .describe(
    'Regular expressions; the whole value must match one of them (anchored, case-sensitive, `.` matches newlines).',
  );

const duration = z
  .string()
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration such as "90s", "5m" or "1h30m"');

export const EVENT_TYPES = ['Normal', 'Warning'] as const;

export const matcherSchema = z
  .strictObject({
    types: z.array(z.enum(EVENT_TYPES)).min(1).optional().describe('Exact event types.'),
    level: z
      .enum(EVENT_TYPES)
      .optional()
      .describe(
        'kube-eventer shorthand: `Warning` = Warning only, `Normal` = Normal and Warning. Not with `types`.',
      ),
    namespaces: patternList
      .optional()
      .describe('Namespace of the involved object; `""` for cluster-scoped objects.'),
    kinds: patternList.optional(),
    names: patternList.optional().describe('Name of the involved object.'),
    reasons: patternList.optional(),
    messages: patternList.optional(),
    components: patternList.optional(),
    hosts: patternList.optional(),
    clusters: patternList.optional(),
    namespaceLabels: z
      .record(z.string(), z.string())
      .optional()
      .describe('Label key → pattern; the namespace must carry the label and its value must match.'),
    minCount: z.number().int().min(1).optional().describe('Only events seen at least this many times.'),
    persistedFor: duration
      .optional()
      .describe(
        'Only events recurring for at least this long: last seen − first seen, from the event’s own timestamps.',
      ),
  })
  .describe('Fields are ANDed; items of a list are ORed.');

/** The owners a namespace annotation can add to one message unless the bundle says otherwise. */
export const MAX_OWNERS_FROM_ANNOTATION = 50;

export const mentionsSchema = z.strictObject({
  users: z.array(z.string().min(1)).optional().describe('WeCom user ids to @.'),
  mobiles: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected a phone number')).optional(),
  all: z.boolean().optional().describe('@all'),
  fromNamespaceAnnotation: z
    .string()
    .min(1)
    .optional()
    .describe('A namespace annotation holding comma-separated user ids, so each team owns its @ list.'),
  maxFromAnnotation: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      `At most this many user ids are taken from the annotation (default ${MAX_OWNERS_FROM_ANNOTATION}); the rest are counted and logged.`,
    ),
  allowAllFromAnnotation: z
    .boolean()
    .optional()
    .describe(
      'Let the annotation say "all" (or @all, <@all>) to @ everyone in the group; without it such an entry is dropped.',
    ),
});

export const receiverSchema = z.strictObject({
  description: z
    .string()
    .optional()
    .describe('Free text for people reading the bundle; ignored by the engine.'),
  webhook: z
    .string()
    .min(1)
    .describe(
      '`env:NAME` (key or URL in an environment variable), `ssm:/path` (SecureString), or a URL for local emulators.',
    ),
  pool: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'More robots in the same group (webhooks, same reference rules): each has its own per-minute budget, and messages spread over them.',
    ),
  msgtype: z
    .enum(RECEIVER_MSGTYPES)
    .optional()
    .describe('Per channel (see `channel`); default markdown, or interactive (a card) for feishu.'),
  template: z.string().optional().describe('Template for one event; default: the built-in for the msgtype.'),
  digestTemplate: z
    .string()
    .optional()
    .describe('Template for a digest of several events; default: built-in.'),
  bodyTemplate: z
    .string()
    .optional()
    .describe(
      'A template producing the whole JSON body (kube-eventer style); replaces template/digestTemplate.',
    ),
  mentions: mentionsSchema.optional(),
  maxMessagesPerMinute: z.number().int().min(1).default(ROBOT_MESSAGES_PER_MINUTE),
  maxBytes: z
    .number()
    .int()
    .min(256)
    .optional()
    .describe('Lower the content limit; never above the channel’s.'),
  ...channelFields,
});

/** The policies decided from each update alone (its watch type and count): no state, no table. */
export const COUNT_REPEAT_POLICIES = ['always', 'first', 'exponential'] as const;
export type CountRepeatPolicy = (typeof COUNT_REPEAT_POLICIES)[number];
export const repeatSchema = z.union(
  [
    z.enum(COUNT_REPEAT_POLICIES),
    z
      .strictObject({
        every: duration.describe('At most one notification per this window while the event recurs.'),
      })
      .describe('Time-based: remembered in the state table, once per (event, receiver, window).'),
  ],
  // Neither a policy name nor an object: say what is allowed instead of zod's "Invalid input".
  { error: 'expected "always", "first", "exponential" or { "every": "<duration>" }' },
);
export type RepeatPolicy = z.output<typeof repeatSchema>;

const GROUP_FIELD =
  /^(?:cluster|namespace|kind|name|reason|type|component|host|fieldPath|namespaceLabels\.[^\s]+)$/;
export const groupSchema = z.strictObject({
  by: z
    .array(z.string().regex(GROUP_FIELD, 'expected a normalized event field or namespaceLabels.<key>'))
    .describe('Events of one batch to one receiver with equal values of these fields become one digest.'),
});

export const routeSchema = z.strictObject({
  name: z.string().min(1),
  description: z
    .string()
    .optional()
    .describe('Free text for people reading the bundle; ignored by the engine.'),
  match: matcherSchema.optional(),
  exclude: z
    .union([matcherSchema, z.array(matcherSchema).min(1)])
    .optional()
    .describe('Any match excludes.'),
  receivers: z.array(z.string().min(1)).min(1),
  mentions: mentionsSchema.optional(),
  repeat: repeatSchema.default('exponential'),
  group: groupSchema.optional(),
  stop: z.boolean().default(false),
});

const timestamp = z.iso.datetime({ offset: true });
export const silenceSchema = z.strictObject({
  match: matcherSchema,
  startsAt: timestamp.optional(),
  endsAt: timestamp,
  comment: z.string().min(1),
});

export const templateSourceSchema = z.union([
  z.string(),
  z.strictObject({
    file: z.string().min(1).describe('Path relative to the bundle, resolved at build time.'),
  }),
]);

export const bundleSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z
    .string()
    .optional()
    .describe('Free text for people reading the bundle; ignored by the engine.'),
  version: z.literal(1),
  timezone: z.string().default('UTC').describe('IANA time zone used to render times, e.g. Asia/Shanghai.'),
  receivers: z.record(z.string().min(1), receiverSchema),
  templates: z.record(z.string().min(1), templateSourceSchema).default({}),
  routes: z.array(routeSchema),
  silences: z.array(silenceSchema).default([]),
});

/** A bundle as written (defaults not applied). */
export type BundleInput = z.input<typeof bundleSchema>;
/** A bundle after schema parsing (defaults applied). */
export type Bundle = z.output<typeof bundleSchema>;
export type Receiver = Bundle['receivers'][string];
export type Route = Bundle['routes'][number];
export type Matcher = z.output<typeof matcherSchema>;
export type Mentions = z.output<typeof mentionsSchema>;
export type Silence = Bundle['silences'][number];
export type TemplateSource = z.output<typeof templateSourceSchema>;
