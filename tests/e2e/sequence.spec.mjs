// The request-level view: the messages of a stretch of time as a sequence
// diagram, and an arrow as a way back to the moment it was sent.
import { test, expect } from '@playwright/test';
import { loadScript } from './helpers.mjs';

test('a send appears as Produce request and response between the producer and the leader, and an arrow travels back in time', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await loadScript(page, [
    'seed 1',
    'cluster brokers=3',
    'topic create orders partitions=1 replication-factor=3',
    'producer p linger.ms=0',
    'advance 10s',
    'send p orders value=hello',
    'advance 500ms',
  ], '10.500 s');

  // The Requests diagram is a tab under the stage, next to the event log.
  await page.getByTestId('tab-requests').click();
  await expect(page.getByTestId('tab-requests')).toHaveAttribute('aria-selected', 'true');
  const diagram = page.getByTestId('sequence');
  const produce = diagram.locator('[data-testid="sequence-arrow"][data-api="Produce"]');
  await expect(produce).toHaveCount(2);
  await expect(produce.first()).toHaveAccessibleName(/p to broker-\d: Produce request #\d+ orders-0 records=1/);
  await expect(produce.nth(1)).toHaveAccessibleName(/broker-\d to p: Produce response/);
  // Followers fetching the record from the leader are part of the picture too.
  await expect(diagram.locator('[data-testid="sequence-arrow"][data-api="Fetch"]').first()).toBeVisible();
  const lanes = await diagram.getByTestId('sequence-lane').allTextContents();
  expect(lanes[0]).toBe('p');

  // Background traffic on demand: heartbeats appear.
  const before = await diagram.getByTestId('sequence-arrow').count();
  await page.getByTestId('sequence-chatter').check();
  await expect(diagram.locator('[data-testid="sequence-arrow"][data-api="BrokerHeartbeat"]').first()).toBeVisible();
  expect(await diagram.getByTestId('sequence-arrow').count()).toBeGreaterThan(before);
  await page.getByTestId('sequence-chatter').uncheck();

  // A shorter stretch than the gap since the send: nothing to draw.
  await page.getByTestId('sequence-window').selectOption('100');
  await expect(page.getByTestId('sequence-empty')).toBeVisible();
  await page.getByTestId('sequence-window').selectOption('1000');

  // Choosing the request (by keyboard) takes the picture back to when it was sent.
  await produce.first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('back-to-now')).toBeVisible();
  await expect(page.getByTestId('clock')).toHaveText(/^10\.0\d\d s$/);
  expect(errors).toEqual([]);
});
