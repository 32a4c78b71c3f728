// Drives the dashboard in Debian's Chromium through playwright-core, one
// scenario per run, and prints what a person would have seen as one JSON line.
// test_dashboard.py starts the real binaries and checks the result.
//
//   node driver.mjs SCENARIO BASE_URL OUT_DIR [ARG]
//   overview               devices and their live power, over time; screenshots
//                          (desktop light and dark, phone)
//   switch-off DEVICE      the device page's "Switch off" button
//   add-device ID          the management form: a bad address, then a good one
//   outage LABEL           wait for LABEL's heartbeat card to say Power OFF
//
// Every request the page makes is recorded; any to a host other than the
// server's is reported in "outside".
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';

const [scenario, base, out, arg] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const result = { scenario, outside: [], errors: [] };
const host = new URL(base).host;

async function open(path, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.host !== host) result.outside.push(r.url());
  });
  page.on('pageerror', (e) => result.errors.push(e.message));
  await page.goto(base + path, { waitUntil: 'domcontentloaded' });
  return page;
}

const shot = (page, name) => page.screenshot({ path: `${out}/${name}.png`, fullPage: true });

try {
  if (scenario === 'overview') {
    const page = await open('/#/');
    const cards = page.locator('#devices [data-device]');
    await cards.first().waitFor({ timeout: 15000 });
    result.devices = await cards.evaluateAll((els) => els.map((e) => e.dataset.device));
    const power = () =>
      page.$$eval('#devices [data-device]', (els) =>
        Object.fromEntries(els.map((e) => [e.dataset.device, e.querySelector('[data-field="power"]')?.textContent ?? ''])));
    result.power_first = await power();
    const deadline = Date.now() + 20000;
    do {
      await page.waitForTimeout(500);
      result.power_later = await power();
    } while (JSON.stringify(result.power_later) === JSON.stringify(result.power_first) && Date.now() < deadline);
    result.power_cards = await page.$$eval('[data-label]', (els) =>
      Object.fromEntries(els.map((e) => [e.dataset.label, e.textContent ?? ''])));
    await shot(page, 'overview-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    result.dark_background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await shot(page, 'overview-dark');
    const phone = await open('/#/', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.locator('#devices [data-device]').first().waitFor({ timeout: 15000 });
    result.phone_overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    await shot(phone, 'overview-phone');
  } else if (scenario === 'switch-off') {
    const page = await open(`/#/device/${arg}`);
    const relay = page.locator('[data-field="relay"]').first();
    await page.waitForFunction(() => document.querySelector('[data-field="relay"]')?.textContent?.trim(), null, { timeout: 15000 });
    result.relay_before = (await relay.textContent()).trim();
    await page.locator('#switch-off').click();
    await page.waitForFunction(() => /off/i.test(document.querySelector('[data-field="relay"]')?.textContent ?? ''), null, { timeout: 15000 });
    result.relay_after = (await relay.textContent()).trim();
    await shot(page, 'device-switched-off');
  } else if (scenario === 'add-device') {
    const page = await open('/#/manage');
    await page.locator('#dev-id').waitFor({ timeout: 15000 });
    await page.fill('#dev-id', arg);
    await page.fill('#dev-name', 'Added in the browser');
    await page.selectOption('#dev-kind', 'tcp');
    await page.fill('#dev-address', 'http://nope/');
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.waitForFunction(() => (document.getElementById('form-notice')?.textContent ?? '').trim().length > 0, null, { timeout: 10000 });
    result.bad_address_message = (await page.locator('#form-notice').textContent()).trim();
    await shot(page, 'add-device-invalid');
    await page.fill('#dev-address', '127.0.0.1:9');
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.locator('#device-list').getByText(arg, { exact: true }).first().waitFor({ timeout: 10000 });
    result.listed = true;
    await shot(page, 'add-device-listed');
  } else if (scenario === 'outage') {
    const page = await open('/#/');
    const card = page.locator(`[data-label="${arg}"]`);
    await card.waitFor({ timeout: 15000 });
    result.before = (await card.textContent()).trim();
    await page.waitForFunction((label) => /Power OFF/.test(document.querySelector(`[data-label="${label}"]`)?.textContent ?? ''), arg, { timeout: 20000 });
    result.after = (await card.textContent()).trim();
    result.ongoing = (await page.locator('.outages-now').textContent().catch(() => '')).trim();
    await shot(page, 'outage');
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
} catch (e) {
  result.failure = String(e && e.message ? e.message : e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
