import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Where a browser test saves the README's screenshot `name`: `docs/assets/<name>` under `npm run screenshots`
 * (which sets `KUBE_WECOM_SCREENSHOTS`), else nowhere, so `npm test` never changes a tracked file.
 */
export function screenshotPath(name: string): string | undefined {
  if (!process.env.KUBE_WECOM_SCREENSHOTS) return undefined;
  const assets = fileURLToPath(new URL('../../../docs/assets/', import.meta.url));
  mkdirSync(assets, { recursive: true });
  return join(assets, name);
}

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this sandbox refuses
// (env notes, node.md); the sandbox flag is needed when running as root.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium with a fresh profile, in Shanghai time unless `timezoneId` names another zone (to show that
 * the page does not depend on the browser's); `close()` also removes the profile.
 */
export async function launchChromium(
  viewport: { width: number; height: number },
  timezoneId = 'Asia/Shanghai',
): Promise<BrowserContext> {
  // A missing browser fails the test instead of skipping it: a skipped browser test is a green run that
  // tested nothing.
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`,
    );
  const profile = mkdtempSync(join(tmpdir(), 'kube-wecom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    // Playwright hides scrollbars in headless mode; a test of what scrolls visibly must see them as a user does.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    viewport,
    timezoneId,
    locale: 'en-GB',
  });
  // Chromium may still be writing its profile as the context closes; a temp directory left behind is harmless.
  context.on(
    'close',
    () => void rm(profile, { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined),
  );
  return context;
}
