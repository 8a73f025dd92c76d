import { trialRenderTemplates } from '../render/index.ts';
import { BundleError } from './errors.ts';
import { jsonPath } from './json-path.ts';
import { loadBundle } from './load.ts';
import type { LoadedBundle } from './load.ts';

/**
 * Loads a bundle the way every command needs it: schema and meaning (`loadBundle`), then what only the renderer
 * can judge — every receiver's own templates must render the sample events, in time, into a WeCom message.
 * Throws `BundleError`.
 */
export async function loadCheckedBundle(path: string): Promise<LoadedBundle> {
  const loaded = await loadBundle(path);
  const problems = Object.keys(loaded.bundle.receivers).flatMap((name) =>
    trialRenderTemplates(loaded.bundle, name).map((problem) => ({
      path: jsonPath(['receivers', name, problem.field]),
      message: problem.message,
    })),
  );
  if (problems.length > 0) throw new BundleError(problems, path);
  return loaded;
}
