/**
 * Rendering: events to WeCom message bodies. Templates (Eta, compiled once per bundle) render the content with event
 * text escaped for the msgtype; code builds the JSON body, fits it to WeCom's byte limits and places mentions.
 */
export { compileRenderer } from './renderer.ts';
export { channelRendering } from './channel.ts';
export type { ChannelRendering } from './channel.ts';
export type { RendererOptions } from './renderer.ts';
export { trialRenderTemplates } from './template-trial.ts';
export type { TemplateTrialProblem } from './template-trial.ts';
export { sampleEvent } from './sample.ts';
export { BUILTIN_SOURCES } from './builtins.ts';
export {
  escapeMarkdown,
  escapeMarkdownWithin,
  escapeText,
  escapeTextWithin,
  escapeJsonString,
  sanitize,
} from './escape.ts';
export type { EscapedPrefix } from './escape.ts';
export { utf8Bytes } from './bytes.ts';
export { truncationMarker } from './fit.ts';
export { mergeTallies, tallyOf } from './overflow.ts';
export type { EventTally } from './overflow.ts';
export { RenderError } from './errors.ts';
export type { Formatters } from './format.ts';
export { WECOM_MSGTYPES } from './types.ts';
export type {
  DigestOptions,
  DigestPart,
  DigestTemplateData,
  EventTemplateData,
  RenderedMessage,
  Renderer,
  SeverityColor,
  WecomMsgtype,
} from './types.ts';
export { WEBHOOK_FIELDS, webhookValues } from './webhook-fields.ts';
