// One scenario of the web console in a real browser (Debian's chromium, driven by playwright-core):
//   node console.mjs --scenario NAME --base http://127.0.0.1:PORT [--shots DIR] [--key KEY] [--arg VALUE]
// Run by tests/integration/console_test.cpp, which starts the daemon and its fake providers, prepares the
// data and checks the daemon's side afterwards. Exits 0 when every step passed; otherwise prints the
// failed step and exits 1. Writes screenshots to --shots.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const base = args.base;
const shots = args.shots || '';
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = { timeout: 20000 };

async function shot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// The console's answer carries the policy that keeps injected markup from running.
async function checkHeaders(page) {
  const res = await page.request.get(`${base}/ui/`);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers()['x-content-type-options'], 'nosniff');
  // Revalidated, not sent again, while the binary is the same.
  const etag = res.headers()['etag'];
  assert.ok(etag);
  const again = await page.request.get(`${base}/ui/app.js`);
  assert.notEqual(again.headers()['etag'], etag);
  const unchanged = await page.request.get(`${base}/ui/app.js`, { headers: { 'If-None-Match': again.headers()['etag'] } });
  assert.equal(unchanged.status(), 304);
}

const scenarios = {
  // Create a campaign from a CSV (one bad row refused, named), watch it run to completion, download its
  // report and read the rows back.
  async create(page) {
    await page.goto(`${base}/ui/#/new`);
    await page.fill('input[name=name]', 'Renewals from the browser');
    await page.fill('input[name=agent_id]', 'agent_1');
    await page.fill('input[name=provider]', 'sim');
    await page.fill('input[name=from_number]', '+14155550100');
    await page.fill('input[name=concurrency]', '5');
    const csv = 'phone_number,first_name,plan\n+14155550201,Ann,gold\n+14155550202,Bo,silver\nnot-a-number,Cy,gold\n+14155550203,Di,gold\n';
    await page.setInputFiles('input[name=csv]', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('button[type=submit]');
    await page.locator('section.result p.warning').waitFor(WAIT);
    assert.match(await page.locator('section.result p').textContent(), /3 call\(s\) added, 1 record\(s\) refused/);
    const bad = page.locator('table.errors tbody tr');
    assert.equal(await bad.count(), 1);
    assert.equal(await bad.locator('td').first().textContent(), '3');
    assert.match(await bad.locator('td').nth(1).textContent(), /phone_number/);
    await shot(page, 'new-campaign');
    await page.click('section.result a');
    await page.locator('h1 .badge.completed').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('[data-count=completed] dd').textContent(), '3');
    await page.locator('figure.chart svg rect').first().waitFor(WAIT);
    await shot(page, 'campaign');
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('[data-action=report]')]);
    const text = readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split('\r\n');
    assert.match(lines[0], /^campaign_id,campaign_name,call_id,phone,/);
    assert.equal(lines.length, 4);
    for (const phone of ['+14155550201', '+14155550202', '+14155550203']) assert.ok(text.includes(`,${phone},`), phone);
    await page.goto(`${base}/ui/#/campaigns`);
    await page.locator('table.campaigns tbody tr').first().waitFor(WAIT);
    await shot(page, 'campaigns');
  },

  // A contact called at night waits: its page says which check holds it and until when.
  async night(page) {
    await page.goto(`${base}/ui/#/call?id=${args.arg}`);
    const failed = page.locator('ul.checks.failed li[data-check=respectful-hours]');
    await failed.waitFor(WAIT);
    assert.match(await failed.textContent(), /Contact local time is 03:\d\d in Asia\/Tokyo/);
    assert.equal(await page.locator('dl.facts div:has(dt:text-is("Verdict")) dd').textContent(), 'wait');
    assert.match(await page.locator('dl.facts div:has(dt:text-is("May go out at")) dd').textContent(), /2026/);
    await shot(page, 'call-waiting');
  },

  // Held calls: one released (after a warning that it may be placed twice), the rest failed with a reason.
  async held(page) {
    await page.goto(`${base}/ui/#/held`);
    const rows = page.locator('section.held tbody tr[data-call]');
    await rows.first().waitFor(WAIT);
    assert.equal(await rows.count(), 2);
    await shot(page, 'held');
    const first = await rows.first().getAttribute('data-call');
    await rows.first().locator('[data-action=release]').click();
    assert.match(await page.locator('#confirm-text').textContent(), /placed a second time/);
    await page.click('#confirm-ok');
    await page.locator('#notice.ok').waitFor(WAIT);
    await page.locator(`section.held tbody tr[data-call="${first}"]`).waitFor({ state: 'detached', ...WAIT });
    await page.click('[data-action=fail-all]');
    await page.fill('#confirm-reason', 'checked the provider: not placed');
    await page.click('#confirm-ok');
    await page.locator('section.held td.empty').waitFor(WAIT);
    console.log(`released ${first}`);
  },

  // Pause and resume from the campaign page; a setting changed, and one refused with the API's words.
  async pause(page) {
    await page.goto(`${base}/ui/#/campaign?id=${args.arg}`);
    await page.locator('h1 .badge.running').waitFor(WAIT);
    await page.click('[data-action=pause]');
    await page.locator('h1 .badge.paused').waitFor(WAIT);
    await shot(page, 'paused');
    await page.click('[data-action=resume]');
    await page.locator('h1 .badge.running').waitFor(WAIT);
    await page.fill('form.settings input[name=concurrency]', '0');
    await page.click('form.settings button[type=submit]');
    await page.locator('#notice.error').waitFor(WAIT);
    assert.match(await page.locator('#notice').textContent(), /^Not accepted \(concurrency\): concurrency: /);
    await page.fill('form.settings input[name=concurrency]', '3');
    await page.click('form.settings button[type=submit]');
    await page.locator('#notice.ok').waitFor(WAIT);
  },

  // Suppressions: a number added with a reason, found, removed; a bad number refused with the API's words.
  async suppressions(page) {
    await page.goto(`${base}/ui/#/suppressions`);
    await page.locator('td.empty').waitFor(WAIT);
    const [add, find] = [page.locator('form.inline').nth(0), page.locator('form.inline').nth(1)];
    await add.locator('input[name=phone]').fill('not a number');
    await add.locator('input[name=reason]').fill('asked to stop');
    await add.locator('button').click();
    await page.locator('#notice.error').waitFor(WAIT);
    assert.match(await page.locator('#notice').textContent(), /^Not accepted \(phone_number\)/);
    await add.locator('input[name=phone]').fill('+14155550177');
    await add.locator('button').click();
    await page.locator('tr[data-phone="+14155550177"]').waitFor(WAIT);
    assert.match(await page.locator('tr[data-phone="+14155550177"]').textContent(), /asked to stop/);
    await find.locator('input[name=phone]').fill('+14155550177');
    await find.locator('button').click();
    await page.locator('tbody tr[data-phone]').first().waitFor(WAIT);
    assert.equal(await page.locator('tbody tr[data-phone]').count(), 1);
    await shot(page, 'suppressions');
    await page.locator('tr[data-phone="+14155550177"] button').click();
    await page.click('#confirm-ok');
    await page.locator('td.empty').waitFor(WAIT);
  },

  // Names and variables that are markup stay text: nothing runs, no element is made from them.
  async xss(page) {
    let dialogs = 0;
    page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
    await checkHeaders(page);
    await page.goto(`${base}/ui/#/campaigns`);
    const campaignName = page.locator('table.campaigns tbody tr td a').first();
    await campaignName.waitFor(WAIT);
    assert.equal(await campaignName.textContent(), '<img src=x onerror=alert(1)>');
    assert.equal(await page.locator('main img').count(), 0);
    await page.goto(`${base}/ui/#/campaign?id=${args.arg}`);
    await page.locator('table.calls tbody tr[data-call]').first().waitFor(WAIT);
    await page.locator('h1').filter({ hasText: '<img src=x onerror=alert(1)>' }).waitFor(WAIT);
    assert.equal(await page.locator('main img, main script').count(), 0);
    await shot(page, 'xss');
    // The contact's name, a variable of its call, on the call's page.
    await page.locator('table.calls tbody tr[data-call] a').first().click();
    const name = page.locator('[data-variable=first_name] dd');
    await name.waitFor(WAIT);
    assert.equal(await name.textContent(), '<script>alert(2)</script>');
    assert.equal(await page.locator('main img, main script').count(), 0);
    assert.equal(dialogs, 0, 'a dialog opened: markup from the database ran');
  },

  // With api.keys set the console asks for a key, says when one is refused, and shows only the key's
  // workspace.
  async auth(page) {
    await page.goto(`${base}/ui/`);
    await page.locator('#key-dialog[open]').waitFor(WAIT);
    await shot(page, 'key');
    await page.fill('#key-input', 'not-the-key-not-the-key');
    await page.press('#key-input', 'Enter');
    await page.locator('#key-dialog[open]').waitFor(WAIT);
    assert.match(await page.locator('#key-why').textContent(), /refused/);
    await page.fill('#key-input', args.key);
    await page.press('#key-input', 'Enter');
    const rows = page.locator('table.campaigns tbody tr[data-campaign]');
    await rows.first().waitFor(WAIT);
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().locator('td a').textContent(), 'workspace a');
    // Another workspace's campaign is not found, and the console says so.
    await page.goto(`${base}/ui/#/campaign?id=${args.arg}`);
    await page.locator('#notice.error').waitFor(WAIT);
    assert.match(await page.locator('#notice').textContent(), /^Not found: no campaign/);
  },
};

// Not a test: bench/report_bench.cpp times the console's pages over a large history with it. Each page is
// loaded afresh 5 times; printed: the median milliseconds from navigation until its data is on screen.
scenarios.pageload = async (page) => {
  const median = async (url, ready) => {
    const runs = [];
    for (let i = 0; i < 5; i += 1) {
      await page.goto('about:blank');
      const t0 = Date.now();
      await page.goto(url);
      for (const selector of ready) await page.locator(selector).first().waitFor({ timeout: 120000 });
      runs.push(Date.now() - t0);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  const pages = [
    ['campaigns (the first 50)', '#/campaigns', ['table.campaigns tbody tr[data-campaign]']],
    ['a campaign (counts, 24 h chart, 50 calls)', `#/campaign?id=${args.arg}`, ['[data-count=total] dd', 'figure.chart svg', 'table.calls tbody tr[data-call]']],
    ['a call (its checks and attempts)', `#/call?id=${args.call}`, ['ul.checks.passed li']],
    ['held calls (reads every campaign, 500 a page)', '#/held', ['main p.empty, section.held']],
  ];
  for (const [what, hash, ready] of pages) console.log(`  page load: ${what.padEnd(48)} ${await median(`${base}/ui/${hash}`, ready)} ms`);
};

const scenario = scenarios[args.scenario];
if (!scenario) {
  console.error(`no scenario '${args.scenario}'; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
let failed = false;
try {
  const context = await browser.newContext({ acceptDownloads: true, timezoneId: 'UTC', locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => { console.error(`page error: ${e.message}`); failed = true; });
  page.on('console', (m) => { if (m.type() === 'error') console.error(`console: ${m.text()}`); });
  try {
    await scenario(page);
  } catch (e) {
    await shot(page, `failed-${args.scenario}`).catch(() => {});
    throw e;
  }
} catch (e) {
  console.error(`scenario ${args.scenario} failed: ${e.stack || e}`);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
