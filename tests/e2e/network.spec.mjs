// The picture of the network: a request is a dot on its link until it arrives.
import { test, expect } from '@playwright/test';
import { openForm } from './helpers.mjs';

test('stepping shows a request crossing from the producer to a broker', async ({ page }) => {
  await page.goto('/?new');
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-create').click();
  await openForm(page, 'produce');
  await page.getByTestId('send-value').fill('hello');
  await page.getByTestId('send').click();
  const dots = page.getByTestId('stage').locator('circle');
  await expect(dots.first()).toBeVisible();
  await expect(dots.first().locator('title')).toContainText('producer-1 -> broker-');
  await page.screenshot({ path: 'tests/e2e/results/network.png', fullPage: false });
});
