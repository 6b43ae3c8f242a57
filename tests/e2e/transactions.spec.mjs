// A transactional producer's lane: init, begin, send, commit; the LSO holds
// back until the commit marker is written, then records show as committed.
import { test, expect } from '@playwright/test';
import { createTopic, createProducer, openForm, showTab, openScenarioAtEnd } from './helpers.mjs';

test('a transaction holds the LSO until its commit marker, then its records are committed', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await createTopic(page, 'orders', 1);
  await createProducer(page, 'tx', 'transactional.id=checkout linger.ms=0');
  const lane = page.getByTestId('txn-lane');
  await expect(lane.getByTestId('txn-state')).toHaveText('UNINITIALIZED');
  await expect(lane.getByTestId('txn-begin')).toBeDisabled();

  await lane.getByTestId('txn-init').click();
  await page.getByTestId('play').click();
  await expect(lane.getByTestId('txn-state')).toHaveText('READY', { timeout: 20000 });
  await page.getByTestId('play').click();
  await lane.getByTestId('txn-begin').click();
  await expect(lane.getByTestId('txn-state')).toHaveText('IN_TRANSACTION');
  await page.getByTestId('send-value').fill('order-1');
  await page.getByTestId('send').click();
  await page.getByTestId('play').click();
  await showTab(page, 'partitions');
  await expect(page.getByTestId('lso-orders-0')).toContainText('LSO 0 < HW 1', { timeout: 20000 });
  await page.getByTestId('play').click();
  await expect(page.locator('[data-testid="partition-orders-0"] .cell.txn.pending')).toHaveCount(1);

  await lane.getByTestId('txn-commit').click();
  await page.getByTestId('play').click();
  await expect(page.locator('[data-testid="partition-orders-0"] .cell.marker.commit')).toHaveCount(1, { timeout: 20000 });
  await expect(page.locator('[data-testid="partition-orders-0"] .cell.txn.committed')).toHaveCount(1);
  await expect(page.getByTestId('lso-orders-0')).toHaveCount(0);
  await expect(page.getByTestId("script")).toHaveValue(/init-transactions tx[\s\S]*begin-transaction tx[\s\S]*commit-transaction tx/);
  expect(errors).toEqual([]);
});

test('read_committed and read_uncommitted readers of one topic side by side', async ({ page }) => {
  await page.goto('/?new');
  page.once('dialog', (d) => d.accept());
  await openScenarioAtEnd(page, 'Transactions: two partitions commit together; an abort leaves records read_committed readers skip');
  // Each checkpoint held when the replay reached it, the mid-way ones included.
  await expect(page.getByTestId('checkpoint-count')).toHaveText('7 of 7 done');
  await openForm(page, 'consume');
  await page.getByTestId('consume-topic').selectOption('orders');
  await expect(page.getByTestId('reader-committed')).toContainText('read_committed');
  await expect(page.getByTestId('reader-committed').locator('td').nth(3)).toHaveText('1');
  await expect(page.getByTestId('reader-everything')).toContainText('read_uncommitted');
  await expect(page.getByTestId('reader-everything').locator('td').nth(3)).toHaveText('2');
  await showTab(page, 'partitions');
  await expect(page.locator('[data-testid="partition-orders-0"] .cell.txn.aborted')).toHaveCount(1);
  await expect(page.locator('[data-testid="partition-orders-0"] .cell.marker.abort')).toHaveCount(1);
});
