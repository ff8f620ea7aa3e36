/* eslint-disable no-console */
// Browser test: real Chromium drives the dev app (`backstage-cli package start`, started here on a
// free port) whose proxy reaches the Steward service on 127.0.0.1:7008 (`make e2e` starts
// `steward demo` there first). Expectations come from the service's own answers, and the test
// asserts what a person sees: a level, a failing check's evidence, an impacted entity linking to
// its page, a team's gap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STEWARD = process.env.STEWARD_URL ?? 'http://127.0.0.1:7008';
const pluginDir = join(dirname(fileURLToPath(import.meta.url)), '..');

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function steward(path) {
  const response = await fetch(`${STEWARD}/api/v1${path}`);
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return response.json();
}

let devServer;
let browser;
let openPage;

before(async () => {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  process.env.STEWARD_DEV_URL = url;
  devServer = spawn('npx', ['backstage-cli', 'package', 'start', '--skip-open-browser'], {
    cwd: pluginDir,
    detached: true, // its own process group, stopped as a whole in after()
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CI: 'true',
      APP_CONFIG_app_baseUrl: url,
      APP_CONFIG_backend_baseUrl: url,
    },
  });
  let log = '';
  devServer.stdout.on('data', d => (log += d));
  devServer.stderr.on('data', d => (log += d));
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (devServer.exitCode !== null) throw new Error(`dev server exited:\n${log}`);
    if (/compiled successfully/i.test(log)) break;
    if (Date.now() > deadline) throw new Error(`dev server did not compile:\n${log}`);
    await new Promise(r => setTimeout(r, 500));
  }
  const b = await import('./browser.mjs');
  browser = await b.launch();
  openPage = path => b.openPage(browser, path);
});

after(async () => {
  await browser?.close();
  if (devServer && devServer.exitCode === null) process.kill(-devServer.pid, 'SIGTERM');
});

test('the entity tab shows each scorecard level and a failing check with its evidence', async () => {
  const expected = await steward('/entities/component/default/payments-api/scorecards');
  const page = await openPage('/catalog/default/component/payments-api');
  const tab = page.getByTestId('steward-tab');
  for (const scorecard of expected.scorecards) {
    await tab.getByText(scorecard.title, { exact: true }).waitFor();
  }
  const levels = await tab.getByTestId('steward-level').allTextContents();
  assert.deepEqual(
    levels,
    expected.scorecards.map(s => s.level ?? 'no level'),
  );
  const failing = expected.scorecards.flatMap(s => s.checks).find(c => c.state === 'fail');
  assert.ok(failing, 'the demo has a failing check on payments-api');
  const row = tab.locator('tr', { hasText: failing.evidence });
  await row.waitFor();
  assert.match(await row.innerText(), /fail/);
  assert.match(await row.innerText(), new RegExp(failing.title));
  await page.close();
});

test('the blast-radius card lists an impacted entity that links to its entity page', async () => {
  const expected = await steward('/entities/component/default/payments-api/blast-radius');
  const impacted = expected.impacted.find(i => i.ref.startsWith('component:'));
  assert.ok(impacted);
  const page = await openPage('/catalog/default/component/payments-api');
  const [, rest] = impacted.ref.split(':');
  const [namespace, name] = rest.split('/');
  const link = page
    .getByTestId('steward-impacted')
    .getByRole('link', { name, exact: true })
    .first();
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), `/catalog/${namespace}/component/${name}`);
  await link.click(); // follows the entity route to that entity's page
  await page.getByRole('heading', { name, exact: true }).waitFor();
  await page.close();
});

test("the team page shows the team's open gaps", async () => {
  const expected = await steward('/teams/default/dept-commerce/gaps');
  assert.ok(expected.gaps.length > 0);
  const page = await openPage('/catalog/default/group/dept-commerce');
  const tab = page.getByTestId('steward-tab');
  await tab.getByText(`Open ownership gaps (${expected.count})`).waitFor();
  for (const gap of expected.gaps.slice(0, 3)) {
    await tab.locator('tr', { hasText: gap.detail }).first().waitFor();
  }
  await tab.getByText('Week over week').waitFor();
  await page.close();
});

test('an entity Steward does not know says so, with close names', async () => {
  const response = await fetch(`${STEWARD}/api/v1/entities/component/default/paymnts-api/scorecards`);
  assert.equal(response.status, 404);
  const page = await openPage('/catalog/default/component/paymnts-api');
  const tab = page.getByTestId('steward-tab');
  await tab.getByText('Steward does not know component:default/paymnts-api').waitFor();
  await tab.getByText(/Close names it knows: .*payments-api/).waitFor();
  await page.close();
});
