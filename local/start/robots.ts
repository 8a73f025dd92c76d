import type { Bundle } from '../../functions/bundle/index.ts';
import type { PreviewRobot } from '../preview-page/index.ts';

/** A bundle whose receivers all post to the local WeCom emulator, and the environment that makes it so. */
export interface EmulatedRobots {
  bundle: Bundle;
  /** `KUBE_WECOM_LOCAL_ROBOT_<n>` → the emulator's webhook URL for that receiver's robot. */
  env: Record<string, string>;
  /** One robot per receiver, in bundle order, for the preview page's columns. */
  robots: PreviewRobot[];
}

/**
 * Points every receiver at the emulator, whatever its `webhook` says (`env:`, `ssm:` or a URL), so any bundle —
 * `config/local.json` or a production one — runs locally without secrets and never reaches a real robot. The
 * emulator's port is not in the bundle: the references are `env:` names this process sets.
 */
export function routeToEmulator(bundle: Bundle, webhookUrl: (key: string) => string): EmulatedRobots {
  const env: Record<string, string> = {};
  const robots: PreviewRobot[] = [];
  const receivers = Object.fromEntries(
    Object.entries(bundle.receivers).map(([name, receiver], i) => {
      const key = localKey(name);
      robots.push({ receiver: name, key });
      // The other channels post to their own emulators (channel-robots.ts).
      if (receiver.channel !== 'wecom') return [name, receiver];
      const variable = `KUBE_WECOM_LOCAL_ROBOT_${i + 1}`;
      env[variable] = webhookUrl(key);
      return [name, { ...receiver, webhook: `env:${variable}` }];
    }),
  );
  return { bundle: { ...bundle, receivers }, env, robots };
}

/** The robot key a receiver's column is known by on the preview page. */
export function localKey(receiver: string): string {
  return `local-${receiver.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
