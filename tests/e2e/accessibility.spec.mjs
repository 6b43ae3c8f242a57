// An automated accessibility audit (axe-core) of the main views, with no
// serious or critical violations; and the controls reachable by keyboard.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openForm, openScenarioAtEnd } from './helpers.mjs';

/// The serious and critical violations axe finds on the page as it is now.
async function audit(page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
}

test('the start page, a lesson, a comparison and the request view have no serious accessibility violations', async ({ page }) => {
  page.on('dialog', (d) => d.accept());
  await page.goto('/?new');
  await expect(page.getByTestId('stage-broker-1')).toBeVisible();
  expect(await audit(page)).toEqual([]);
  // The forms, each in the drawer beside the stage.
  for (const form of ['topic', 'produce', 'consume', 'groups', 'network']) {
    await openForm(page, form);
    expect(await audit(page), `the ${form} form`).toEqual([]);
  }
  await page.getByTestId('drawer-close').click();

  // Consumer groups, transactions, the lag chart, checkpoints and the sequence diagram.
  await openScenarioAtEnd(page, 'Exactly once: consume, transform, produce: output and input offsets commit in one transaction; an abort changes neither');
  await page.getByTestId('tab-requests').click();
  await expect(page.getByTestId('sequence')).toBeVisible();
  await page.getByTestId('compare-change').fill('all-consumers isolation.level=read_uncommitted');
  await page.getByTestId('compare-start').click();
  await expect(page.getByTestId('compare-summary')).toBeVisible();
  expect(await audit(page)).toEqual([]);

  await page.goto('/?lesson=replication');
  await expect(page.getByTestId('lesson')).toBeVisible();
  expect(await audit(page)).toEqual([]);
});

test('every control is reachable with the Tab key, and the cluster picture has a text alternative', async ({ page }) => {
  await page.goto('/?lesson=acks');
  await page.getByTestId('lesson-do').click();
  await expect(page.getByTestId('lesson-checks').locator('li.todo')).toHaveCount(0);
  await page.getByTestId('tab-requests').click();
  const reached = new Set();
  for (let i = 0; i < 600; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (id) reached.add(id);
  }
  for (const id of ['lesson-next', 'lesson-end', 'play', 'step', 'open-topic', 'open-produce', 'compare-start', 'sequence-window', 'script', 'share']) {
    expect(reached, `Tab reaches ${id}`).toContain(id);
  }
  // A form opens from the keyboard, its controls come next in the Tab order, and Esc closes it.
  await page.getByTestId('open-produce').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('drawer-produce')).toBeVisible();
  await page.getByTestId('send-value').focus();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('drawer-produce')).toHaveCount(0);
  // Every interactive element can take focus: none hidden from the keyboard.
  const unreachable = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, textarea, a[href]')]
      .filter((e) => e.tabIndex < 0 || e.getAttribute('aria-hidden') === 'true')
      .map((e) => e.outerHTML.slice(0, 80)));
  expect(unreachable).toEqual([]);
  // The cluster picture: each replica chip says its role and ISR membership in words, not only colour.
  await expect(page.getByTestId('chip-payments-0-leader')).toHaveAccessibleName(/^payments-0 \S+: leader, in ISR; log start 0, high watermark \d+, log end \d+$/);
});
