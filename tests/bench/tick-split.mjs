// The engine's share of the page's frames at 100x: the busy cluster played for 5 s with `?bench`,
// printing the medians of the page's own User Timing marks (`kp-reduce`: the state's update with the
// engine's step; `kp-view`, `kp-update`, `kp-render`) and the simulated time gone. Asserts nothing.
// Serve a build first (`node tests/serve.mjs dist 8123`), then `node tests/bench/split100.mjs`
// (`PORT=` another port, `SPEEDS=10,100` more speeds).
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`http://127.0.0.1:${process.env.PORT || 8123}/?new&bench`);
await page.evaluate(() => localStorage.clear());
await page.getByTestId('script').fill(readFileSync('tests/bench/busy.kafka', 'utf8'));
await page.getByTestId('apply-script').click();
await page.getByTestId('clock').filter({ hasText: '12.000 s' }).waitFor();
for (const speed of (process.env.SPEEDS || '100').split(',')) {
  await page.getByRole('button', { name: `${speed}×`, exact: true }).click();
  await page.evaluate(() => performance.clearMeasures());
  const c0 = await page.getByTestId('clock').textContent(); const w0 = Date.now();
  await page.getByTestId('play').click();
  await page.waitForTimeout(5000);
  await page.getByTestId('play').click();
  const c1 = await page.getByTestId('clock').textContent(); const w1 = Date.now();
  const m = await page.evaluate(() => Object.fromEntries(['kp-reduce', 'kp-view', 'kp-update', 'kp-render'].map((n) => [n, performance.getEntriesByName(n).map((e) => e.duration)])));
  const med = (a) => { a = [...a].sort((x, y) => x - y); return a.length ? a[a.length >> 1].toFixed(1) : '-'; };
  const sum = (a) => a.reduce((x, y) => x + y, 0).toFixed(0);
  console.log(`${speed}x: ${c0} -> ${c1} in ${w1 - w0} ms;`, Object.entries(m).map(([k, v]) => `${k} n=${v.length} med=${med(v)} sum=${sum(v)}`).join('; '));
}
await browser.close();
