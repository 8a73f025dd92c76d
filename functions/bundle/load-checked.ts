import { checkBodyTemplate } from '../render/index.ts';
import { BundleError } from './errors.ts';
import { jsonPath } from './json-path.ts';
import { loadBundle } from './load.ts';
import type { LoadedBundle } from './load.ts';

/**
 * Loads a bundle the way every command needs it: schema and meaning (`loadBundle`), then what only the renderer
 * can judge — a full-body template must produce a WeCom body for a sample event. Throws `BundleError`.
 */
export async function loadCheckedBundle(path: string): Promise<LoadedBundle> {
  const loaded = await loadBundle(path);
  const problems = Object.keys(loaded.bundle.receivers).flatMap((name) => {
    const problem = checkBodyTemplate(loaded.bundle, name);
    return problem ? [{ path: jsonPath(['receivers', name, 'bodyTemplate']), message: problem }] : [];
  });
  if (problems.length > 0) throw new BundleError(problems, path);
  return loaded;
}
