// Fast-forward: an hour of simulated time passes in chunks with a progress bar,
// and the session script records it as one advance.
import { test, expect } from '@playwright/test';
import { showTab, openScenarioAtEnd } from './helpers.mjs';

test('fast-forward an hour: progress, then the clock and the script show it', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await page.getByTestId('ff-hour').click();
  await expect(page.getByTestId('clock')).toContainText('1 h 00 min', { timeout: 20000 });
  await expect(page.getByTestId('fast-forward')).toHaveCount(0);
  await expect(page.getByTestId('script')).toHaveValue(/advance 1h/);
  expect(errors).toEqual([]);
});

test('a compacted topic shows what the last cleaning removed and which record of each key stayed', async ({ page }) => {
  await page.goto('/?new');
  page.once('dialog', (d) => d.accept());
  await openScenarioAtEnd(page, 'Compacted changelog: only the latest value of each key stays; tombstones go after delete.retention.ms');
  await expect(page.getByTestId('checkpoint-count')).toHaveText(/(\d+) of \1 done/);
  await showTab(page, 'partitions');
  await expect(page.getByTestId('cleaned-prices-0')).toContainText('kept apple@3');
  await expect(page.getByTestId('cleaned-prices-0')).toContainText('removed offsets 4');
});
