import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';

/**
 * The bundle a command uses when none is named: the demo rules `npm start` runs, found beside this checkout so the
 * default holds wherever the CLI is run from.
 */
export const DEFAULT_BUNDLE = fileURLToPath(new URL('../../config/local.json', import.meta.url));

/** The one rule, as every `--help` states it. */
export const BUNDLE_RULE =
  'The rules bundle is the first argument or --config. With neither, config/local.json (the demo rules of\n' +
  'npm start) is used, and the command says so on stderr.';

/** Adds the two ways to name a rules bundle: `[bundle]` first, or `-c, --config <file>`. */
export function takesBundle(command: Command): Command {
  return command
    .argument('[bundle]', 'rules bundle (default: config/local.json, the demo rules)')
    .option('-c, --config <file>', 'rules bundle, as an option (same as the argument)');
}

/**
 * Picks the bundle path from the positional argument and `--config`; naming two different files is an error rather
 * than a silent preference. When neither is given, the default's path is returned and written to `stderr`, so a bare
 * `validate` cannot be mistaken for a check of one's own bundle.
 */
export function chooseBundle(
  argument: string | undefined,
  config: string | undefined,
  stderr: { write(text: string): unknown },
): string {
  if (argument !== undefined && config !== undefined && argument !== config) {
    throw new InvalidArgumentError(
      `two bundles named: "${argument}" and --config "${config}"; name one of them`,
    );
  }
  const named = argument ?? config;
  if (named !== undefined) return named;
  const path = displayPath(DEFAULT_BUNDLE);
  stderr.write(
    `no bundle named, so using ${path} (the demo rules of npm start); ` +
      'name yours as the first argument or with --config\n',
  );
  return path;
}

/** A path as the user would type it from here: relative to the working directory when that is shorter. */
function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && fromHere.length < path.length ? fromHere : path;
}

/** The options commander hands the action of a command that takes a bundle: `--config` may be absent. */
export type ParsedBundleOptions<Options extends { config: string }> = Omit<Options, 'config'> & {
  config?: string;
};
