// Where the page's time goes at 100x: the busy cluster played for 6 s under the DevTools
// protocol's sampling profiler, printed as self and inclusive shares by function. Asserts nothing.
// Function names need a build that keeps them: build the wasm, run wasm-opt with `-g` (the flags of
// index.html's `data-wasm-opt-params`), put it with its wasm-bindgen JS in a copy of dist/ (without
// index.html's integrity attributes), serve that copy, then `node tests/bench/profile.mjs URL`.
import { chromium } from 'playwright';
import { readFileSync, writeFileSync } from 'fs';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const BASE = process.argv[2];
await page.goto(`${BASE}?new`);
await page.evaluate(() => localStorage.clear());
await page.getByTestId('script').fill(readFileSync('tests/bench/busy.kafka', 'utf8'));
await page.getByTestId('apply-script').click();
await page.getByTestId('clock').filter({ hasText: '12.000 s' }).waitFor();
await page.getByRole('button', { name: `100×`, exact: true }).click();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.getByTestId('play').click();
await page.waitForTimeout(6000);
await page.getByTestId('play').click();
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((s, i) => counts.set(s, (counts.get(s) || 0) + (dt[i] || 0)));
let total = 0; const self = new Map(), incl = new Map();
const name = (n) => (n.callFrame.functionName || n.callFrame.url || '(anon)').replace(/\[[0-9a-f]+\]/g, '');
for (const [id, t] of counts) { const n = byId.get(id); const k = name(n); self.set(k, (self.get(k) || 0) + t); total += t;
  const seen = new Set(); let cur = id; while (cur !== undefined) { const kk = name(byId.get(cur)); if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) || 0) + t); } cur = parent.get(cur); } }
console.log('--- self');
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((t / total * 100).toFixed(1).padStart(5), k.slice(0, 150));
console.log('--- inclusive');
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 70)) console.log((t / total * 100).toFixed(1).padStart(5), k.slice(0, 150));
await browser.close();
