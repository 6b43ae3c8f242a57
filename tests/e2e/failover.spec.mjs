// What learners come for: kill the leader and watch Kafka elect another from the ISR.
import { test, expect } from '@playwright/test';
import { openForm, showTab } from './helpers.mjs';

/// A regular expression matching `text` as it is.
const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

test('crash the leader: the controller fences it and an in-sync replica leads', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('payments');
  await page.getByTestId('topic-partitions').fill('1');
  await page.getByLabel('Replication factor').fill('3');
  await page.getByTestId('topic-create').click();
  await page.getByRole('button', { name: '100×' }).click();
  await page.getByTestId('play').click();

  await showTab(page, 'partitions');
  const partition = page.getByTestId('partition-payments-0');
  await expect(partition).toContainText('ISR [');
  const leader = Number((await partition.textContent()).match(/leader broker-(\d)/)[1]);

  await page.locator('.playground').focus();
  await page.keyboard.press(String(leader));
  await expect(page.getByTestId(`broker-${leader}-state`)).toHaveText('stopped');
  await showTab(page, 'events');
  await expect(page.getByTestId('events')).toContainText(`controller fenced broker-${leader}`, { timeout: 20_000 });
  await showTab(page, 'partitions');
  await expect(partition).not.toContainText(`leader broker-${leader}`);
  await expect(page.getByTestId('metrics')).toContainText('offline partitions: 0');
  await expect(page.getByTestId('script')).toHaveValue(literally(`broker stop ${leader}`));
  await page.getByTestId('play').click();
  await page.screenshot({ path: 'tests/e2e/results/failover.png', fullPage: true });
  expect(errors).toEqual([]);
});
