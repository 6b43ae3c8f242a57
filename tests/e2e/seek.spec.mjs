// Moving a consumer's position from the page: read, seek back to the beginning
// and read again; pause a partition; seek to an offset with the form.
import { test, expect } from '@playwright/test';
import { openForm, showTab } from './helpers.mjs';

const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

test('seek to the beginning re-reads; pause, seek by offset and close are scripted', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('t');
  await page.getByTestId('topic-partitions').fill('1');
  await page.getByTestId('topic-create').click();
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-t-0')).toBeVisible();
  await openForm(page, 'produce');
  for (const v of ['one', 'two']) {
    await page.getByTestId('send-value').fill(v);
    await page.getByTestId('send').click();
  }
  await openForm(page, 'consume');
  await page.getByTestId('assign').click();
  await page.getByTestId('play').click();
  await showTab(page, 'events');
  await expect(page.getByTestId('events')).toContainText('acknowledged');
  await page.getByTestId('poll').click();
  await expect(page.getByTestId('received-row')).toHaveCount(2);
  const row = page.getByTestId('position-row').first();
  await expect(row.locator('td').nth(1)).toHaveText('2');

  await row.getByTestId('seek-beginning').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('seek consumer-1 t-0 beginning'));
  await page.getByTestId('poll').click();
  await expect(page.getByTestId('received-row')).toHaveCount(4);
  await expect(page.getByTestId('events')).toContainText('seekToBeginning(t-0) -> position 0');

  await row.getByTestId('pause').click();
  await expect(row.locator('td').first()).toHaveText('t-0 (paused)');
  await expect(page.getByTestId('script')).toHaveValue(literally('pause consumer-1 t-0'));
  await row.getByTestId('pause').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('resume consumer-1 t-0'));

  await page.getByTestId('seek-target').fill('1');
  await page.getByTestId('seek').click();
  await expect(row.locator('td').nth(1)).toHaveText('1');
  await expect(page.getByTestId('script')).toHaveValue(literally('seek consumer-1 t-0 1'));

  // close(): the consumer takes no more polls; the producer no more sends.
  await page.getByTestId('consumer-close').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('close consumer-1'));
  await expect(page.getByTestId('poll')).toBeDisabled();
  await openForm(page, 'produce');
  await page.getByTestId('producer-close').click();
  await expect(page.getByTestId('script')).toHaveValue(literally('close producer-1'));
  await page.getByTestId('send-value').fill('three');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('send-form').getByRole('alert')).toContainText('Cannot perform operation after producer has been closed');
  expect(errors).toEqual([]);
});
