// Sessions as links, autosave, and embedding.
import { test, expect } from '@playwright/test';
import { command, openForm, showTab } from './helpers.mjs';

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

test('a copied link opens the same session in a fresh page', async ({ page, browser }) => {
  await buildSession(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#v1\./);
  const script = await page.getByTestId('script').inputValue();
  const clock = await page.getByTestId('clock').textContent();

  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(link);
  await expect(fresh.getByTestId('script')).toHaveValue(script);
  await expect(fresh.getByTestId('clock')).toHaveText(clock);
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
  await expect(page.getByTestId('kept-aside')).toContainText('This link replaced the session you had in this browser');
  await page.getByTestId('bring-back').click();
  await expect(page.getByTestId('script')).toHaveValue(worked);
  await expect(page.getByTestId('kept-aside')).toHaveCount(0);
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
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('gallery').selectOption({ label: 'Leader crash: acks=all survives a leader crash: the next in-sync replica leads' });
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
