// Fast-forward: an hour of simulated time passes in chunks with a progress bar,
// and the session script records it as one advance.
import { test, expect } from '@playwright/test';

test('fast-forward an hour: progress, then the clock and the script show it', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByTestId('ff-hour').click();
  await expect(page.getByTestId('clock')).toContainText('1 h 00 min', { timeout: 20000 });
  await expect(page.getByTestId('fast-forward')).toHaveCount(0);
  await expect(page.getByTestId('script')).toHaveValue(/advance 1h/);
  expect(errors).toEqual([]);
});
