// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the screenshots
// and the browser test. The flags keep it off the network: only 127.0.0.1 is reachable here.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEV_URL = process.env.STEWARD_DEV_URL ?? 'http://localhost:3000';

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'steward-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens `path` of the dev app in `theme` ('light' | 'dark') and waits until Steward answered. */
export async function openPage(context, path, theme = 'light') {
  const page = await context.newPage();
  await page.addInitScript(t => {
    window.localStorage.setItem('theme', t);
    // the dev app has no auth backend: sign in with the legacy guest token
    window.localStorage.setItem('enableLegacyGuestToken', 'true');
  }, theme);
  page.on('dialog', dialog => dialog.accept());
  await page.goto(`${DEV_URL}${path}`, { waitUntil: 'domcontentloaded' });
  const tab = page.getByTestId('steward-tab');
  const guest = page.getByRole('button', { name: 'Enter' });
  await tab.or(guest).first().waitFor({ timeout: 60_000 });
  if (await guest.isVisible()) {
    await guest.click(); // the dev app's guest sign-in
  }
  await tab.waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="progress"]').length === 0,
    undefined,
    { timeout: 60_000 },
  );
  return page;
}
