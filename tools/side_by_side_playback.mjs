// Times the large-cluster playback of two builds of the page side by side, alternating, so that
// both see the same minutes of this machine (whose speed drifts by a third from one hour to the
// next): the playback benchmark of tests/bench/page.mjs (12 brokers, 600 partitions at RF 3,
// traffic to every topic, 10 s at 1x; each tick's `kp-update` measure) run ROUNDS times for each.
//
//     node tools/side_by_side_playback.mjs BEFORE_DIST AFTER_DIST [ROUNDS] [VIEWS]
//
// VIEWS, if given, is the page's `view=` list (`script,sequence`: the script editor and one
// panel), to time what one panel costs. MEASURE in the environment picks another of the page's
// measures: `kp-render` (the browser's style, layout and paint of the frame after each tick),
// `kp-painted` (from the tick until that frame is drawn), or `frame` (a frame's work: each tick's
// update and the drawing after it); builds older than them have none.
// BEFORE_DIST and AFTER_DIST are `dist` directories of `./x build` at two commits (copy `dist`
// after each build). Prints, for each build, the median and p95 of every tick of its rounds
// pooled, and each round's own median and p95.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const [before, after, roundsArg, views] = process.argv.slice(2);
if (!before || !after || !existsSync(before) || !existsSync(after)) {
  console.error('usage: node tools/side_by_side_playback.mjs BEFORE_DIST AFTER_DIST [ROUNDS] [VIEWS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 4);
const measure = process.env.MEASURE ?? 'kp-update';
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('side_by_side_playback: ROUNDS must be a whole number of at least 1');
  process.exit(2);
}

const builds = [before, after].map((dist, i) => ({ dist, port: 8096 + i, ticks: [], rounds: [] }));
const servers = builds.map((b) => spawn('node', ['tests/serve.mjs', b.dist, String(b.port)], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});

let big = 'seed 1\ncluster brokers=12\nproducer p linger.ms=5\n';
for (let t = 0; t < 10; t++) big += `topic create t${t} partitions=60 replication-factor=3\n`;
big += 'advance 5s\n';
for (let t = 0; t < 10; t++) big += `traffic p t${t} rate=20 keys=50\n`;

async function playback(port) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/?bench${views ? `&view=${views}` : ''}`);
  await page.evaluate(() => localStorage.clear());
  await page.getByTestId('script').fill(big);
  await page.getByTestId('apply-script').click();
  await page.getByTestId('clock').filter({ hasText: '5.000 s' }).waitFor();
  await page.evaluate(() => performance.clearMeasures());
  await page.getByTestId('play').click();
  await page.waitForTimeout(10_000);
  await page.getByTestId('play').click();
  const ms = await page.evaluate((name) => {
    const entries = (n) => performance.getEntriesByName(n).map((e) => [e.startTime, e.duration]);
    if (name !== 'frame') return entries(name).map(([, d]) => d);
    const renders = entries('kp-render');
    return entries('kp-update').flatMap(([start, d]) => {
      const r = renders.find(([s]) => s >= start + d);
      return r ? [d + r[1]] : [];
    });
  }, measure);
  await page.close();
  return ms;
}

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (ms) => {
  if (ms.length === 0) return `no ${measure} measures (a build older than that measure?)`;
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${at(sorted, 0.5).toFixed(1)} ms, p95 ${at(sorted, 0.95).toFixed(1)} ms`;
};

try {
  for (let r = 0; r < rounds; r++) {
    for (const b of builds) {
      const ms = await playback(b.port);
      b.ticks.push(...ms);
      b.rounds.push(summary(ms));
    }
  }
  for (const b of builds) {
    console.log(`${b.dist} (${measure}): ${b.ticks.length} ticks, ${summary(b.ticks)} (rounds: ${b.rounds.join('; ')})`);
  }
} finally {
  await browser.close();
  servers.forEach((s) => s.kill());
}
