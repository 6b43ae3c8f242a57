// Sessions as links, autosave, and embedding.
import { test, expect } from '@playwright/test';
import { command, openForm, openScenarioAtEnd, showTab } from './helpers.mjs';

/// A regular expression matching `text` as it is.
const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

async function buildSession(page) {
  await page.goto('/?new');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-create').click();
  await openForm(page, 'produce');
  await page.getByTestId('send-key').fill('Alice');
  await page.getByTestId('send-value').fill('hello');
  await page.getByTestId('send').click();
  await page.getByTestId('step').click();
  await page.getByTestId('step').click();
}

test('a copied link opens the same session in a fresh page, from its beginning, to be watched', async ({ page, browser }) => {
  await buildSession(page);
  await command(page, 'advance 30s');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#v1\./);
  const script = await page.getByTestId('script').inputValue();
  const clock = await page.getByTestId('clock').textContent();

  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(link);
  // The whole script is there, the clock running from its beginning...
  await expect(fresh.getByTestId('script')).toHaveValue(script);
  await expect(fresh.getByTestId('play')).toHaveText('Pause');
  await expect(fresh.getByTestId('past-hint')).toBeVisible();
  // ...and "Jump to the end" reaches the state shared.
  await fresh.getByTestId('back-to-now').click();
  await expect(fresh.getByTestId('clock')).toHaveText(clock);
  await expect(fresh.getByTestId('play')).toHaveText('Play');
  await showTab(fresh, 'partitions');
  await expect(fresh.getByTestId('partition-orders-2')).toBeVisible();
});

test('a link opened over other work keeps that work aside and brings it back', async ({ page }) => {
  await buildSession(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  // More work after sharing, saved in this browser but not in the link.
  await page.getByTestId('step').click();
  await command(page, 'topic create later');
  const worked = await page.getByTestId('script').inputValue();
  expect(worked).toContain('topic create later');
  // Opening the link again (a reload of the shared address) shows the link's session...
  await page.goto('about:blank');
  await page.goto(link);
  await expect(page.getByTestId('script')).not.toHaveValue(/topic create later/);
  // ...and says the work it replaced is kept, and brings it back on request.
  await expect(page.getByTestId('kept-aside')).toContainText('This link replaced the session you had in this browser; it is kept in Recent sessions');
  await page.getByTestId('bring-back').click();
  await expect(page.getByTestId('script')).toHaveValue(worked);
  await expect(page.getByTestId('kept-aside')).toHaveCount(0);
});

test('a lesson opened by its address over a saved session: the session comes back from Recent sessions', async ({ page }) => {
  await buildSession(page);
  const mine = await page.getByTestId('script').inputValue();
  await page.goto('/?lesson=acks');
  await expect(page.getByTestId('lesson')).toBeVisible();
  await expect(page.getByTestId('script')).not.toHaveValue(mine);
  const recent = page.getByTestId('recent');
  await expect(recent.locator('option').nth(1)).toHaveText(/^orders: \d+ lines, 0 s$/);
  await recent.selectOption({ index: 1 });
  await expect(page.getByTestId('script')).toHaveValue(mine);
  await expect(page.getByTestId('lesson')).toHaveCount(0);
});

test('a gallery scenario unfolds: scrubbed back to 0 and played, its crash happens and no line is lost', async ({ page }) => {
  await page.goto('/?new');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/?new');
  await page.getByTestId('gallery').selectOption({ label: 'Leader crash: acks=all survives a leader crash: the next in-sync replica leads' });
  const script = page.getByTestId('script');
  await expect(script).toHaveValue(/broker stop 2[\s\S]*expect producer p1 acked=3 failed=0/);
  const whole = await script.inputValue();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await expect(page.getByTestId('past-hint')).toBeVisible();
  await page.getByTestId('timeline').fill('0');
  await expect(page.getByTestId('clock')).toHaveText('0.000 s');
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  // The broker stops at 1 s, as the script says, while it plays.
  await expect(page.getByTestId('stage-broker-2')).toHaveAccessibleName(/stopped/);
  await expect(page.getByTestId('checkpoint-count')).toHaveText('3 of 3 done', { timeout: 15_000 });
  await expect(page.getByTestId('back-to-now')).toHaveCount(0);
  await page.getByTestId('play').click();
  // Every line kept; playing on past the end only adds time after it.
  const after = await script.inputValue();
  expect(after.startsWith(whole.trimEnd()), `${whole}\n---\n${after}`).toBe(true);
  await page.screenshot({ path: 'tests/e2e/results/scenario-unfolded.png' });
});

test('acting in the past keeps the other future as a branch; undo takes an action back', async ({ page }) => {
  await page.goto('/?new');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/?new');
  await page.getByTestId('script').fill('seed 1\ncluster brokers=3\ntopic create t partitions=1 replication-factor=3\nadvance 5s\nbroker stop 1\nadvance 5s\n');
  await page.getByTestId('apply-script').click();
  await expect(page.getByTestId('clock')).toHaveText('10.000 s');
  await page.getByTestId('timeline').fill('2000');
  await command(page, 'broker stop 2');
  // A new line from 2 s; the old one, with broker 1's stop, is a branch marked where it split.
  await expect(page.getByTestId('script')).not.toHaveValue(/broker stop 1/);
  const fork = page.getByTestId('branch-mark');
  await expect(fork).toHaveCount(1);
  await expect(fork).toHaveAccessibleName('a branch splits at 2.000 s: look at it');
  await page.screenshot({ path: 'tests/e2e/results/time-branch.png' });
  // Undo (Ctrl+Z) takes back the stop of broker 2: back at 2 s, that line a branch too.
  await page.locator('.playground').press('Control+z');
  await expect(page.getByTestId('script')).not.toHaveValue(/broker stop 2/);
  await expect(page.getByTestId('clock')).toHaveText('2.000 s');
  await expect(fork).toHaveCount(2);
  // Both split at 2 s; the list names them. The first branch again: broker 1 stops at 5 s, as it did.
  await expect(page.getByTestId('branches').locator('option')).toHaveText(['this line and 2 more', '1: split at 2.000 s', '2: split at 2.000 s']);
  await page.getByTestId('branches').selectOption({ index: 1 });
  await expect(page.getByTestId('script')).toHaveValue(/broker stop 1/);
  await page.getByTestId('back-to-now').click();
  await expect(page.getByTestId('clock')).toHaveText('10.000 s');
  await expect(page.getByTestId('stage-broker-1')).toHaveAccessibleName(/stopped/);
  // The tree survives a reload.
  await page.reload();
  await expect(fork).toHaveCount(2);
  await expect(page.getByTestId('clock')).toHaveText('10.000 s');
});

test('a browser whose storage is full says the session is not kept, instead of losing it quietly', async ({ page }) => {
  await page.addInitScript(() => {
    Storage.prototype.setItem = () => { throw new DOMException('the quota is full', 'QuotaExceededError'); };
  });
  await page.goto('/?new');
  await command(page, 'topic create orders');
  await expect(page.getByTestId('notice')).toHaveText('This browser did not keep the session (its storage is full or off): copy its link to keep it.');
});

test('a broken link says what is wrong and keeps the saved session', async ({ page }) => {
  await buildSession(page);
  const script = await page.getByTestId('script').inputValue();
  await page.goto('/#v1.thisIsNotALink');
  await expect(page.getByTestId('link-error')).toContainText('This link could not be opened: the link is damaged');
  await expect(page.getByTestId('script')).toHaveValue(script);
  await page.goto('/#v7.AAAA');
  await expect(page.getByTestId('link-error')).toContainText('made by a newer version');
});

test('a reload restores the session; a new session asks first', async ({ page }) => {
  await buildSession(page);
  const script = await page.getByTestId('script').inputValue();
  await page.reload();
  await expect(page.getByTestId('script')).toHaveValue(script);
  page.once('dialog', (d) => d.dismiss());
  await page.getByTestId('new-session').click();
  await expect(page.getByTestId('script')).toHaveValue(script);
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('new-session').click();
  await expect(page.getByTestId('script')).not.toHaveValue(literally('topic create orders'));
});

test('a reload after playing restores the session as it was when playing stopped', async ({ page }) => {
  // While playing, the session is saved at most once a second; stopping saves it at once.
  await buildSession(page);
  await page.getByTestId('play').click();
  await page.waitForTimeout(1_500);
  await page.getByTestId('play').click();
  const script = await page.getByTestId('script').inputValue();
  expect(script).toMatch(/advance/);
  await page.reload();
  await expect(page.getByTestId('script')).toHaveValue(script);
});

test('the script editor applies a script and names a bad line', async ({ page }) => {
  await page.goto('/?new');
  await page.getByTestId('script').fill('seed 5\ncluster brokers=2\ntopic create t partitions=2\nexpect topic t partitions=2\n');
  await page.getByTestId('apply-script').click();
  await expect(page.getByTestId('checkpoints')).toContainText('✓');
  await page.getByTestId('script').fill('seed 5\ncluster brokers=2\nadvance soon\n');
  await page.getByTestId('apply-script').click();
  await expect(page.getByRole('alert')).toContainText('line 3, column 9');
});

test('an embedding page drives the playground and hears checkpoints', async ({ page }) => {
  await page.goto('/embed-example.html');
  await expect(page.locator('#log')).toContainText('expect partition orders-0 leader=1');
  await page.getByRole('button', { name: 'Crash broker 1 for me' }).click();
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.locator('#log')).toContainText('expect partition orders-0 leader=2', { timeout: 20_000 });
  await page.screenshot({ path: 'tests/e2e/results/embed.png', fullPage: true });
});

test("an embedding page's load over what a reader did keeps the reader's session in Recent sessions", async ({ page }) => {
  await page.goto('/?new');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/embed-example.html');
  await expect(page.locator('#log')).toContainText('expect partition orders-0 leader=1');
  // The reader acts in the frame; then the host page loads another scenario over it, without a question.
  await page.getByRole('button', { name: 'Crash broker 1 for me' }).click();
  await expect(page.locator('#log')).toContainText('expect partition orders-0 leader=2', { timeout: 20_000 });
  await page.evaluate(() => document.getElementById('playground').contentWindow
    .postMessage({ type: 'load', script: 'seed 2\ncluster brokers=1\n' }, window.location.origin));
  await expect(page.frameLocator('#playground').getByTestId('stage-broker-2')).toHaveCount(0);
  // The reader's session is in the list the playground itself offers.
  await page.goto('/?new');
  await expect(page.getByTestId('recent').locator('option').nth(1)).toHaveText(/^orders: /);
});

test('the timeline goes back in time and returns', async ({ page }) => {
  await page.goto('/?new');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/?new');
  await page.getByTestId('script').fill('seed 1\ncluster brokers=1\ntopic create t\nadvance 10s\n');
  await page.getByTestId('apply-script').click();
  await expect(page.getByTestId('clock')).toHaveText('10.000 s');
  await page.getByTestId('timeline').fill('2500');
  await expect(page.getByTestId('clock')).toHaveText('2.500 s');
  await page.getByTestId('back-to-now').click();
  await expect(page.getByTestId('clock')).toHaveText('10.000 s');
});

test('the embed button gives an iframe snippet that opens the session embedded', async ({ page }) => {
  await buildSession(page);
  await page.getByTestId('embed').click();
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed&view=cluster,messages,partitions,checkpoints,events#v1\./);
  const src = snippet.match(/src="([^"]+)"/)[1];
  await page.goto(src);
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-orders-2')).toBeVisible();
  await expect(page.getByTestId('topic-form')).toHaveCount(0);
});

test('the session exports as a kafka-python program', async ({ page }) => {
  await buildSession(page);
  await page.getByTestId('export-python').click();
  await expect(page.getByTestId('export')).toHaveValue(literally('producer_1.send("orders", value=b"hello", key=b"Alice")'));
});

test('the gallery opens a ready scenario', async ({ page }) => {
  await page.goto('/?new');
  await openScenarioAtEnd(page, 'Leader crash: acks=all survives a leader crash: the next in-sync replica leads');
  await expect(page.getByTestId('checkpoints')).toContainText('✓ expect consumer c1 consumed=3');
  await expect(page.getByTestId('checkpoint-count')).toHaveText('3 of 3 done');
});

test('lessons and scenarios are fetched when opened; one that cannot be fetched says so and the session stays', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => { if (/\/(lessons|scenarios)\//.test(r.url())) fetched.push(new URL(r.url()).pathname); });
  await page.goto('/?new');
  await expect(page.getByTestId('script')).toHaveValue(/cluster/);
  expect(fetched, 'nothing is fetched before it is opened').toEqual([]);
  const before = await page.getByTestId('script').inputValue();
  await page.route('**/scenarios/*.kafka', (route) => route.abort('internetdisconnected'));
  await page.route('**/lessons/*.lesson', (route) => route.fulfill({ status: 404, body: 'not here' }));
  page.on('dialog', (d) => d.accept());
  await page.getByTestId('gallery').selectOption({ label: 'Leader crash: acks=all survives a leader crash: the next in-sync replica leads' });
  await expect(page.locator('#script-error')).toHaveText(/^The scenario 'replication-leader-crash' could not be loaded: scenarios\/replication-leader-crash\.kafka: .+\. Your session is kept\.$/);
  await page.getByTestId('lesson-pick').selectOption({ index: 4 });
  await expect(page.locator('#script-error')).toHaveText("The lesson 'acks' could not be loaded: lessons/acks.lesson: HTTP 404. Your session is kept.");
  await expect(page.getByTestId('lesson')).toHaveCount(0);
  await expect(page.getByTestId('script')).toHaveValue(before);
  expect(fetched).toEqual(['/scenarios/replication-leader-crash.kafka', '/lessons/acks.lesson']);
  // Served again, the same choices open.
  await page.unrouteAll();
  await page.getByTestId('lesson-pick').selectOption({ index: 4 });
  await expect(page.getByTestId('lesson').getByTestId('lesson-step')).toHaveText(/^Step 1 of/);
});
