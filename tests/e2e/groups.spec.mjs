// A consumer group from the page: two members share a topic's partitions,
// the describe table shows committed offsets and lag, and a crashed member's
// partitions move to the survivor once session.timeout.ms passes.
import { test, expect } from '@playwright/test';
import { openForm, showTab } from './helpers.mjs';

const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

test('members join, share partitions, commit, and a crash rebalances after the session timeout', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-partitions').fill('2');
  await page.getByTestId('topic-create').click();
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-orders-1')).toBeVisible();
  await openForm(page, 'produce');
  await page.getByTestId('send-value').fill('one');
  await page.getByTestId('send').click();

  await openForm(page, 'groups');
  await page.getByTestId('group-id').fill('billing');
  await page.getByTestId('group-add').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('subscribe member-1 orders'));
  await expect(page.getByTestId('script')).toHaveValue(literally('consume member-1'));
  await page.getByTestId('group-add').click();
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();

  const group = page.getByTestId('group-billing');
  await expect(group.getByTestId('group-state')).toHaveText('Stable', { timeout: 15000 });
  await expect(group).toContainText('generation 1');
  const table = group.getByTestId('group-describe');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('member-1');
  await expect(table).toContainText('member-2');
  // The internal topic folds away in the partitions view; each partition shows who reads it where.
  await expect(page.getByTestId('internal-__consumer_offsets')).toBeVisible();
  await expect(page.getByTestId('readers-orders-0')).toContainText('group billing committed');
  await expect(page.getByTestId('lag-chart').locator('polyline')).toHaveCount(1);
  // The consumer panel acts on any consumer.
  await openForm(page, 'consume');
  await page.getByTestId('consumer-pick').selectOption('member-1');
  await expect(page.getByTestId('poll')).toHaveText('Poll member-1');

  await openForm(page, 'groups');
  await page.getByTestId('member-member-2').getByRole('button', { name: 'Crash' }).click();
  await expect(page.getByTestId('script')).toHaveValue(literally('crash member-2'));
  await page.getByRole('button', { name: '100×', exact: true }).click();
  await expect(group).toContainText('generation 2', { timeout: 20000 });
  await expect(table.locator('tbody tr td:nth-child(7)')).toHaveText(['member-1', 'member-1']);
  await showTab(page, 'events');
  await expect(page.getByTestId('events')).toContainText('partitions assigned: [orders-0, orders-1]');
  expect(errors).toEqual([]);
});
