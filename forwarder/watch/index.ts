/** List-then-watch of one collection, with bookmarks, 410 relists and backoff. */
export { ListWatch } from './list-watch.ts';
export type { ListWatchHandler, ListWatchOptions, RestartReason } from './list-watch.ts';
