/**
 * The live preview page that `npm start` mounts on the WeCom emulator: every robot's messages as a WeCom client shows
 * them, the pipeline's counters and a per-minute chart, and the JSON API behind them.
 */
export {
  mountPreviewPage,
  type PreviewPage,
  type PreviewPageOptions,
  type PreviewMessagesResponse,
} from './mount.ts';
export {
  toPreviewMessage,
  receiverIndex,
  type PreviewFeed,
  type PreviewMessage,
  type PreviewRecord,
  type PreviewRobot,
} from './messages.ts';
export { channelPreview } from './channel-view.ts';
export {
  StatsBoard,
  ROBOT_LIMIT_PER_MINUTE,
  type LocalStats,
  type LocalCounter,
  type MinuteBucket,
  type StatsBoardOptions,
} from './stats.ts';
export { parseWecomMarkdown, renderWecomMarkdown, type WecomDialect } from './wecom-markdown.ts';
export { messageView } from './message-view.ts';
export { escapeHtml, toHtml, safeHref, type ViewNode, type ViewElement } from './nodes.ts';
export { minuteChart, type ChartNode } from './chart.ts';
export { previewPage, type PageDocument } from './page.ts';
