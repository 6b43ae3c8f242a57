// Browser benchmark: the release build in headless Chromium, timed with performance.now() inside the page.
// Run with `./x bench` (after `./x build`); prints numbers for docs/performance.md, asserts nothing.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PORT = 8094;
const server = spawn('node', ['tests/serve.mjs', 'dist', String(PORT)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
// BENCH_PATH=share/ measures the share-groups build (dist/share/) instead of the first download.
const BASE = `http://127.0.0.1:${PORT}/${process.env.BENCH_PATH ?? ''}`;

const only = process.env.BENCH_ONLY;
// Time to interactive: a fresh tab (no cache) until the page answers input (the play button is
// there and the app has mounted), by the page's own clock from navigation start.
if (!only) {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(BASE, { waitUntil: 'commit' });
    await fresh.getByTestId('play').waitFor();
    runs.push(await fresh.evaluate(() => performance.now()));
    await context.close();
  }
  runs.sort((a, b) => a - b);
  console.log(`time to interactive on localhost: median ${runs[2].toFixed(0)} ms (min ${runs[0].toFixed(0)}, max ${runs[4].toFixed(0)}) over 5 fresh tabs`);
}

const page = await browser.newPage();
await page.goto(BASE);
await page.evaluate(() => localStorage.clear());

async function timed(label, script, clock) {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    await page.getByTestId('script').fill(script);
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('apply-script').click();
    await page.getByTestId('clock').filter({ hasText: clock }).waitFor();
    runs.push((await page.evaluate(() => performance.now())) - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[2].toFixed(0)} ms (min ${runs[0].toFixed(0)}, max ${runs[4].toFixed(0)}) over 5 runs`);
}

if (!only) {
let sends = 'seed 1\ncluster brokers=3\ntopic create bench partitions=3 replication-factor=3\nproducer p linger.ms=5\n';
for (let i = 0; i < 1000; i++) sends += `send p bench key=k${i % 64} value=order-${i}-${'x'.repeat(80)}\n`;
await timed('replay 1,000 sends (acks=all, RF 3) and 5 s of time, then draw', sends + 'advance 5s\n', '5.000 s');
await timed('replay an idle 3-broker cluster for 10 simulated minutes, then draw',
  'seed 1\ncluster brokers=3\ntopic create t partitions=6 replication-factor=3\nadvance 10m\n', '10 min 00.000 s');
await timed('replay a simulated day of traffic (a record a second, hourly segments, retention), then draw',
  'seed 1\ncluster brokers=1\ntopic create logs partitions=1 segment.ms=3600000 retention.ms=86400000\n' +
  'producer p linger.ms=0\ntraffic p logs rate=1 keys=100\nadvance 1d\n', '1 d 00 h 00 min');
}


// The busy cluster of the stage's issue: 12 brokers; topics of 12, 12, 24, 6 and 6 partitions at
// replication factor 3 (one compacted); five producers at 50, 30, 100, 20 and 10 records a second;
// a group of three on one topic and a group of two on two topics. At 1x, 10x and 100x for 5 s of
// the page's clock each: frames drawn a second (requestAnimationFrame callbacks), simulated
// seconds gone a real second against the speed asked (pace), and how long a click on Pause takes
// to show (from the click to the frame after the button says Play).
async function busyCluster() {
  // The scenario, also stepped natively by `core/examples/playback.rs` (engine and view alone).
  const script = readFileSync('tests/bench/busy.kafka', 'utf8');
  const seconds = (text) => {
    const n = (re) => Number((text.match(re) ?? [0, 0])[1]);
    return n(/(\d+) d/) * 86400 + n(/(\d+) h/) * 3600 + n(/(\d+) min/) * 60 + n(/([\d.]+) s/);
  };
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${BASE}?new`);
  await page.evaluate(() => localStorage.clear());
  await page.getByTestId('script').fill(script);
  await page.getByTestId('apply-script').click();
  await page.getByTestId('clock').filter({ hasText: '12.000 s' }).waitFor();
  const results = [];
  for (const [label, speed] of [['1x', 1], ['10x', 10], ['100x', 100]]) {
    await page.getByRole('button', { name: `${speed}×`, exact: true }).click();
    const before = seconds(await page.getByTestId('clock').textContent());
    const wall0 = Date.now();
    await page.getByTestId('play').click();
    const frames = await page.evaluate(() => new Promise((done) => {
      let n = 0;
      const t0 = performance.now();
      const count = () => { n += 1; if (performance.now() - t0 < 5000) requestAnimationFrame(count); else done(n / ((performance.now() - t0) / 1000)); };
      requestAnimationFrame(count);
    }));
    // Pause, timed inside the page: the click, until the button reads Play and a frame is drawn.
    const clickMs = await page.evaluate(() => new Promise((done) => {
      const button = document.querySelector('[data-testid="play"]');
      const t0 = performance.now();
      const seen = new MutationObserver(() => {
        if (button.textContent.includes('Play')) {
          seen.disconnect();
          requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
        }
      });
      seen.observe(button, { childList: true, subtree: true, characterData: true });
      button.click();
    }));
    const after = seconds(await page.getByTestId('clock').textContent());
    const pace = (after - before) / ((Date.now() - wall0) / 1000) / speed;
    results.push(`${label}: ${frames.toFixed(0)} frames/s, pace ${(pace * 100).toFixed(0)}% (${(after - before).toFixed(1)} simulated s), Pause shown after ${clickMs.toFixed(0)} ms`);
  }
  await page.close();
  console.log(`busy cluster (12 brokers, 60 partitions at RF 3, 5 producers, 2 groups; 5 s each): ${results.join('; ')}`);
}
if (!only || only === 'busy') await busyCluster();

// Playback of a large cluster: 12 brokers, 600 partitions at replication factor 3 (1,800 replica
// chips), traffic to every topic; each playback tick measured from the tick to the page updated
// (User Timing `kp-update`, on with `?bench`), the browser's drawing of the next frame
// (`kp-render`) and the time until that frame is drawn (`kp-painted`). Then
// the same with one panel shown at a time (with the script editor, which the benchmark types
// into), to see what each panel costs.
if (!only || only === "playback") {
  let big = 'seed 1\ncluster brokers=12\nproducer p linger.ms=5\n';
  for (let t = 0; t < 10; t++) big += `topic create t${t} partitions=60 replication-factor=3\n`;
  big += 'advance 5s\n';
  for (let t = 0; t < 10; t++) big += `traffic p t${t} rate=20 keys=50\n`;
  async function playback(views, seconds) {
    const bench = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await bench.goto(`${BASE}?bench${views ? `&view=${views}` : ''}`);
    await bench.evaluate(() => localStorage.clear());
    await bench.getByTestId('script').fill(big);
    await bench.getByTestId('apply-script').click();
    // The script ends at 5 s; an embedded view's clock may already be running past it.
    await bench.waitForFunction(() => /\b([5-9]|\d\d+)\.\d{3} s|min/.test(document.querySelector('[data-testid="clock"]')?.textContent ?? ''));
    const chips = views ? 0 : await bench.locator('svg.stage g.chip-g').count();
    // An applied script may leave the clock running: stop it, so that the measured stretch is
    // exactly the one played below.
    if ((await bench.getByTestId('play').textContent()).includes('Pause')) await bench.getByTestId('play').click();
    await bench.evaluate(() => performance.clearMeasures());
    await bench.getByTestId('play').click();
    await bench.waitForTimeout(seconds * 1000);
    await bench.getByTestId('play').click();
    const [updates, renders, painted] = await bench.evaluate(() =>
      ['kp-update', 'kp-render', 'kp-painted'].map((name) =>
        performance.getEntriesByName(name).map((e) => [e.startTime, e.duration])));
    await bench.close();
    const update = updates.map(([, d]) => d);
    // A frame's work: the tick's update and the browser's drawing of the next frame after it.
    const frame = updates.flatMap(([start, d]) => {
      const r = renders.find(([s]) => s >= start + d);
      return r ? [d + r[1]] : [];
    });
    const stats = (ms) => {
      ms.sort((a, b) => a - b);
      const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
      return { ticks: ms.length, median: at(0.5), p95: at(0.95), max: ms[ms.length - 1] };
    };
    return { chips, ...stats(update), frame: stats(frame), painted: stats(painted.map(([, d]) => d)) };
  }
  const all = await playback('', 10);
  console.log(`playback of 12 brokers, 600 partitions, ${all.chips} replica chips: ${all.ticks} ticks, update median ${all.median.toFixed(1)} ms, p95 ${all.p95.toFixed(1)} ms, max ${all.max.toFixed(1)} ms (a frame at 60 Hz is 16.7 ms)`);
  const [f, p] = [all.frame, all.painted];
  console.log(`  a frame's work (the update, then the browser's style, layout and paint of the next frame): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms`);
  console.log(`  from the tick until that frame is drawn (the wait for it too): median ${p.median.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms, max ${p.max.toFixed(1)} ms`);
  // The clock and its buttons are part of the stage's view: each part is measured beside it.
  const panels = ['', 'inspector', 'partitions', 'sequence', 'events', 'network', 'consume', 'groups', 'produce'];
  const by = [];
  for (const panel of panels) {
    const r = await playback(panel ? `stage,script,${panel}` : 'stage,script', 4);
    by.push(`${panel || 'the stage and the script editor alone'} ${r.median.toFixed(1)}`);
  }
  console.log(`  median update with one more part shown (ms): ${by.join(', ')}`);
}

await browser.close();
server.kill();
