// Compare: the session beside itself with one setting changed, in step with
// the clock, the outcomes that differ marked.
import { test, expect } from '@playwright/test';
import { loadScript, openScenarioAtEnd } from './helpers.mjs';

test('acks=1 beside acks=all: the page counts the acknowledged records the failover lost', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await openScenarioAtEnd(page, 'acks=1 loss: a cut-off leader acknowledges alone; after healing, those records are gone');
  await expect(page.getByTestId('script')).toHaveValue(/producer p1 acks=1/);

  // A change naming nothing in the session is refused, with the reason.
  await page.getByTestId('compare-change').fill('nobody acks=1');
  await page.getByTestId('compare-start').click();
  await expect(page.locator('#compare-error')).toHaveText('the session creates no producer, consumer or topic named nobody');

  // The suggestions are built from the session.
  await expect(page.locator('#compare-suggestions option[value="p1 acks=all"]')).toHaveCount(1);
  await page.getByTestId('compare-change').fill('p1 acks=all');
  await page.getByTestId('compare-change').press('Enter');
  const summary = page.getByTestId('compare-summary');
  await expect(summary).toContainText('p1 acks=all');
  const lost = summary.getByTestId('compare-row').filter({ hasText: 'acknowledged, then lost' });
  await expect(lost.locator('td')).toHaveText(['2', '0']);
  await expect(lost).toHaveClass(/differs/);
  await expect(summary.getByTestId('compare-row').filter({ hasText: 'records acknowledged' })).not.toHaveClass(/differs/);
  await expect(page.getByTestId('compare-partitions')).toContainText('events-0');

  // Time moves both runs: an hour later the outcomes still stand, in step with the clock.
  await page.getByTestId('ff-hour').click();
  await expect(page.getByTestId('fast-forward-stop')).toHaveCount(0, { timeout: 20000 });
  await expect(lost.locator('td')).toHaveText(['2', '0']);
  await expect(summary.getByTestId('compare-row').filter({ hasText: 'partition time without a leader' }).locator('td')).toHaveText(['0ms', '0ms']);
  await page.getByTestId('compare-end').click();
  await expect(page.getByTestId('compare-summary')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a comparison opens by link', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?lesson=idempotence&compare=p%20acks%3Dall');
  await expect(page.getByTestId('compare-summary')).toContainText('p acks=all');
  expect(errors).toEqual([]);
});

test("Compare's suggestion comes from the current session, never from an earlier one", async ({ page }) => {
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await loadScript(page, ['seed 1', 'cluster brokers=3', 'producer first linger.ms=0'], '0.000 s');
  await expect(page.getByTestId('compare-change')).toHaveValue('first acks=1');
  await loadScript(page, ['seed 1', 'cluster brokers=3', 'producer second linger.ms=0'], '0.000 s');
  await expect(page.getByTestId('compare-change')).toHaveValue('second acks=1');
  // What the person types is theirs, whatever the session.
  await page.getByTestId('compare-change').fill('second linger.ms=50');
  await loadScript(page, ['seed 1', 'cluster brokers=3', 'producer second linger.ms=0', 'producer third'], '0.000 s');
  await expect(page.getByTestId('compare-change')).toHaveValue('second linger.ms=50');
});

test('transaction version 1 without verification beside version 2: the late record committed, then refused', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await openScenarioAtEnd(page, 'Late write, version 1 unverified: the same late record, with transaction version 1 and no verification, is committed with the next transaction');
  await expect(page.getByTestId('script')).toHaveValue(/transaction.version=1 transaction.partition.verification.enable=false/);
  await expect(page.locator('#compare-suggestions option[value="cluster transaction.version=2"]')).toHaveCount(1);
  await page.getByTestId('compare-change').fill('cluster transaction.version=2');
  await page.getByTestId('compare-change').press('Enter');
  const summary = page.getByTestId('compare-summary');
  const late = summary.getByTestId('compare-row').filter({ hasText: 'failed, yet read' });
  await expect(late.locator('td')).toHaveText(['1', '0']);
  await expect(late).toHaveClass(/differs/);
  await expect(summary.getByTestId('compare-row').filter({ hasText: 'records consumed' }).locator('td')).toHaveText(['3', '2']);
  await page.screenshot({ path: 'tests/e2e/results/compare-transaction-version.png' });
  expect(errors).toEqual([]);
});
