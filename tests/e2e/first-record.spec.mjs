// A newcomer's first minute: create a topic, send a keyed record, poll it back,
// and find it where Kafka's default partitioner puts it.
import { test, expect } from '@playwright/test';
import { openForm, showTab } from './helpers.mjs';

/// A regular expression matching `text` as it is.
const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

test('create orders, send key Alice, poll: offset 0 of murmur2 partition', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await expect(page.getByRole('heading', { name: 'Kafka Playground' })).toBeVisible();
  await expect(page.getByTestId('stage-broker-1')).toBeVisible();

  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-partitions').fill('3');
  await page.getByTestId('topic-create').click();
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-orders-2')).toBeVisible();

  await openForm(page, 'produce');
  await page.getByTestId('send-key').fill('Alice');
  // The page works out the partition as the key is typed.
  await expect(page.getByTestId('partition-explain')).toContainText('toPositive = 269325657; 269325657 % 3 = partition 0');
  await page.getByTestId('send-value').fill('{"order_id":"ORD001","amount":150.0}');
  await page.getByTestId('send').click();
  await openForm(page, 'consume');
  await page.getByTestId('assign').click();
  await page.getByTestId('play').click();
  // Let simulated time deliver the record (linger.ms=5, 1 ms links), then poll.
  await showTab(page, 'events');
  await expect(page.getByTestId('events')).toContainText('acknowledged at offset 0');
  await page.getByTestId('poll').click();

  const row = page.getByTestId('received-row').first();
  await expect(row).toBeVisible();
  // toPositive(murmur2("Alice")) % 3 == 0 (checked against kafka-python).
  await expect(row.locator('td').nth(0)).toHaveText('orders-0');
  await expect(row.locator('td').nth(1)).toHaveText('0');
  await expect(row.locator('td').nth(2)).toHaveText('"Alice"');
  await expect(page.getByTestId('script')).toHaveValue(literally('send producer-1 orders key=Alice'));
  await page.screenshot({ path: 'tests/e2e/results/first-record.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a bad topic name shows an error next to the form and keeps the session', async ({ page }) => {
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('bad name!');
  await page.getByTestId('topic-create').click();
  const form = page.getByTestId('topic-form');
  await expect(form.getByRole('alert')).toContainText('INVALID_TOPIC_EXCEPTION');
  await expect(page.getByTestId('topic-name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-create').click();
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('script')).toHaveValue(literally('topic create orders partitions=3'));
});

test('keyboard: space plays and pauses, period steps', async ({ page }) => {
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('t');
  await page.getByTestId('topic-create').click();
  await openForm(page, 'produce');
  await page.getByTestId('send-value').fill('x');
  await page.getByTestId('send').click();
  await page.locator('.playground').focus();
  await page.keyboard.press('.');
  await expect(page.getByTestId('clock')).not.toHaveText('0.000 s');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play')).toHaveText('Play');
});

test('the page comes as gzip: the wasm, the minified JS glue and the CSS', async ({ page }) => {
  const sent = {};
  page.on('response', (r) => {
    const kind = new URL(r.url()).pathname.match(/\.(wasm|js|css)$/)?.[1];
    if (kind) sent[kind] = r.headers()['content-encoding'];
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('/?new');
  await expect(page.getByTestId('script')).toHaveValue(/cluster/);
  expect(sent).toEqual({ wasm: 'gzip', js: 'gzip', css: 'gzip' });
  expect(errors, 'no integrity or decoding errors').toEqual([]);
});

test('the forms offer what Kafka would do: a free topic name, replication factor 3, a producer with the defaults', async ({ page }) => {
  await page.goto('/?new');
  await openForm(page, 'topic');
  // Values in the boxes, not placeholders: what is shown is what Create sends.
  await expect(page.getByTestId('topic-name')).toHaveValue('orders');
  await expect(page.getByLabel('Replication factor')).toHaveValue('3');
  await page.getByTestId('topic-create').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('topic create orders partitions=3 replication-factor=3'));
  await expect(page.getByTestId('topic-name')).toHaveValue('payments');
  // The clock is paused: the page says what the creation waits for, until time runs.
  await expect(page.getByTestId('paused-hint')).toContainText('press Play');
  // Next to the form the action was taken in, too.
  await expect(page.getByTestId('drawer-topic').getByTestId('paused-near-action')).toContainText('press Play or Step');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('paused-hint')).toHaveCount(0);
  await expect(page.getByTestId('paused-near-action')).toHaveCount(0);

  await openForm(page, 'produce');
  await expect(page.getByTestId('producer-configs')).toHaveValue('');
  await expect(page.getByTestId('producer-name')).toHaveValue('producer-2');
  await page.getByTestId('producer-form').getByRole('button', { name: 'Create producer' }).click();
  await expect(page.getByTestId('script')).toHaveValue(/\nproducer producer-2\n/);
  // The new producer is the one the form now sends with, with Kafka's defaults.
  await expect(page.getByTestId('send')).toHaveText('Send with producer-2');
  await expect(page.getByTestId('producer-configs-explained')).toContainText('acks=all');
  // Each config's sentence comes from config-docs.txt, fetched beside the page.
  await expect(page.getByTestId('producer-configs-explained')).toContainText('How many replicas must have a batch');
});
