// The page's own `?bench` marks on the busy cluster (tests/bench/busy.kafka) in headless Chromium:
// after the scenario's 12 s, 5 s of the page's clock at 10x and at 100x, then the median of each
// measure: the engine's step (`kp-reduce`), its view (`kp-view`), a tick's whole update
// (`kp-update`), the browser's drawing (`kp-render`) and a tick's wait until painted (`kp-painted`).
// Run from the project root after `./x build`: `node tests/bench/marks.mjs`.
import { chromium } from 'playwright';
import { readFileSync } from 'fs';
import { spawn } from 'child_process';
const server = spawn('node', ['tests/serve.mjs', 'dist', '8131'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto('http://127.0.0.1:8131/?new&bench');
await page.evaluate(() => localStorage.clear());
await page.getByTestId('script').fill(readFileSync('tests/bench/busy.kafka', 'utf8'));
await page.getByTestId('apply-script').click();
await page.getByTestId('clock').filter({ hasText: '12.000 s' }).waitFor();
for (const speed of [10, 100]) {
  await page.getByRole('button', { name: `${speed}×`, exact: true }).click();
  await page.evaluate(() => performance.clearMeasures());
  await page.getByTestId('play').click();
  await page.waitForTimeout(5000);
  await page.getByTestId('play').click();
  const m = await page.evaluate(() => {
    const out = {};
    for (const e of performance.getEntriesByType('measure')) (out[e.name] ??= []).push(e.duration);
    const med = (a) => { a.sort((x, y) => x - y); return a[Math.floor(a.length / 2)].toFixed(1); };
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, `${med(v)} (n=${v.length})`]));
  });
  console.log(speed, JSON.stringify(m));
}
await browser.close();
server.kill();
