/** The namespace cache that enriches envelopes with labels and annotations. */
export { NamespaceCache } from './cache.ts';
export type { NamespaceCacheOptions, NamespaceEntry } from './cache.ts';
