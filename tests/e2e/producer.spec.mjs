// A producer with its own configs: the batch it sends is a real compressed record batch.
import { test, expect } from '@playwright/test';
import { createTopic, createProducer, openForm, showTab } from './helpers.mjs';

/// A regular expression matching `text` as it is.
const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

test('a gzip producer sends a compressed batch the broker stores as it came', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await createTopic(page, 'orders', 1);
  await createProducer(page, 'zipper', 'acks=1 compression.type=gzip linger.ms=20');
  await openForm(page, 'produce');
  for (let i = 0; i < 5; i++) {
    await page.getByTestId('send-value').fill(`{"order":"ORD00${i}","status":"created","amount":100}`);
    await page.getByTestId('send').click();
  }
  await page.getByTestId('play').click();
  await expect(page.getByTestId('events')).toContainText('gzip,');
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-orders-0')).toContainText('1 batch(es)');
  await expect(page.getByTestId('script')).toHaveValue(literally('producer zipper acks=1 compression.type=gzip linger.ms=20'));
  await page.getByTestId('play').click();

  // Its configs, grouped, each explained, with Kafka's default where it was changed.
  await page.locator('details.configs summary').click();
  const explained = page.getByTestId('producer-configs-explained');
  await expect(explained.getByRole('heading', { name: 'Batching' })).toBeVisible();
  await expect(explained).toContainText('linger.ms=20 (default 5)');
  await expect(explained).toContainText('How long a batch waits for more records before it may be sent.');

  await page.getByTestId('producer-name').fill('bad');
  await page.getByTestId('producer-configs').fill('compression.type=brotli');
  await page.getByTestId('producer-form').getByRole('button', { name: 'Create producer' }).click();
  await expect(page.getByTestId('send-form').getByRole('alert')).toContainText('compression.type');
  expect(errors).toEqual([]);
});

test('a partitioner written as rules explains where the typed key goes', async ({ page }) => {
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-partitions').fill('3');
  await page.getByTestId('topic-create').click();
  await openForm(page, 'produce');
  await page.getByTestId('producer-name').fill('regions');
  await page.getByTestId('producer-configs').fill('partitioner.class=table:US=0,EU=1,*=2');
  await page.getByTestId('producer-form').getByRole('button', { name: 'Create producer' }).click();
  await page.getByTestId('send-producer').selectOption('regions');
  await page.getByTestId('send-key').fill('EU');
  await expect(page.getByTestId('partition-explain')).toContainText('sends this key to partition 1');
  await page.getByTestId('send-key').fill('APAC');
  await expect(page.getByTestId('partition-explain')).toContainText('sends this key to partition 2');
});
