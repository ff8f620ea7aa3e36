/* eslint-disable no-console */
// Screenshots of what a person sees, for the README: `npm run screenshots` with the dev app
// (`npm start`) and the Steward demo (`steward demo`) running. Writes ../docs/screenshots/*.png.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage } from './browser.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const shots = [
  ['entity-tab.png', '/catalog/default/component/payments-api', 'light'],
  ['entity-tab-dark.png', '/catalog/default/component/payments-api', 'dark'],
  ['ownership-blast-radius.png', '/catalog/default/component/orders-service', 'light'],
  ['team-page.png', '/catalog/default/group/dept-commerce', 'light'],
];

const context = await launch();
try {
  for (const [file, path, theme] of shots) {
    const page = await openPage(context, path, theme);
    // Backstage scrolls inside its content area: grow the window to the content's full height
    const height = await page.evaluate(() =>
      Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight)),
    );
    await page.setViewportSize({ width: 1400, height: Math.min(height, 4000) });
    await page.waitForTimeout(800); // let the gauges and sparklines finish their transitions
    await page.screenshot({ path: join(out, file) });
    console.log(`wrote docs/screenshots/${file}`);
    await page.close();
  }
} finally {
  await context.close();
}
