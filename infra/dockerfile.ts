import { readFileSync } from 'node:fs';

const dockerfile = new URL('./Dockerfile', import.meta.url);

/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerfileStep {
  instruction: string;
  args: string;
}

/** The instructions of the forwarder image's last stage (the image that runs), comments left out. */
export function runtimeStage(): DockerfileStep[] {
  const lines = readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const last = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines.slice(last).map((line) => {
    const [instruction, ...rest] = line.split(/\s+/);
    return { instruction: instruction!.toUpperCase(), args: rest.join(' ') };
  });
}

/** The environment the image sets (its runtime stage's ENV instructions). */
export function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const step of runtimeStage().filter((s) => s.instruction === 'ENV'))
    for (const [, name, value] of step.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
      env[name!] = value!.startsWith('"') ? value!.slice(1, -1) : value!;
  return env;
}

/**
 * The `node` flags the image starts the forwarder with (its exec-form ENTRYPOINT, between `node` and the
 * script), so the bench and the tests run the bundle exactly as the container does.
 */
export function imageNodeFlags(): string[] {
  const entrypoint = runtimeStage().find((step) => step.instruction === 'ENTRYPOINT');
  if (!entrypoint) throw new Error('infra/Dockerfile: the runtime stage has no ENTRYPOINT');
  const argv = JSON.parse(entrypoint.args) as string[];
  if (argv[0] !== 'node')
    throw new Error(`infra/Dockerfile: ENTRYPOINT does not start node: ${entrypoint.args}`);
  return argv.slice(1, -1);
}
