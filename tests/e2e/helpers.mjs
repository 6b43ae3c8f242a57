// Steps several browser tests share.
import { expect } from '@playwright/test';

/// Opens a form in the drawer beside the stage (`topic`, `produce`, `consume`, `groups`,
/// `network`), unless it is open already.
export async function openForm(page, form) {
  if (!(await page.getByTestId(`drawer-${form}`).isVisible())) {
    await page.getByTestId(`open-${form}`).click();
  }
  await expect(page.getByTestId(`drawer-${form}`)).toBeVisible();
}

/// Runs one script line through the command bar.
export async function command(page, line) {
  await page.getByTestId('command').fill(line);
  await page.getByTestId('command').press('Enter');
  await expect(page.locator('#command-error')).toHaveCount(0);
}

/// Shows a tab under the stage (`events`, `requests`, `partitions`).
export async function showTab(page, tab) {
  await page.getByTestId(`tab-${tab}`).click();
  await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
}

/// Creates a topic through the topic form.
export async function createTopic(page, name, partitions) {
  await openForm(page, 'topic');
  await page.getByTestId('topic-name').fill(name);
  await page.getByTestId('topic-partitions').fill(String(partitions));
  await page.getByTestId('topic-create').click();
}

/// Creates a producer with configs and picks it for sending.
export async function createProducer(page, name, configs) {
  await openForm(page, 'produce');
  await page.getByTestId('producer-name').fill(name);
  await page.getByTestId('producer-configs').fill(configs);
  await page.getByTestId('producer-form').getByRole('button', { name: 'Create producer' }).click();
  await page.getByTestId('send-producer').selectOption(name);
  await expect(page.getByTestId('send')).toHaveText(`Send with ${name}`);
}

/// Replaces the session with a script (one line per array item) through the script panel, and
/// waits for the clock to reach `clock`. The caller answers the page's question (`page.on('dialog')`).
export async function loadScript(page, lines, clock) {
  await page.getByTestId('script').fill(lines.join('\n'));
  await page.getByTestId('apply-script').click();
  await expect(page.getByTestId('clock')).toHaveText(clock);
}

/// Opens a gallery scenario by its label. It starts at its beginning, playing; this jumps to its
/// end, where the scenario's checkpoints and records are all there.
export async function openScenarioAtEnd(page, label) {
  await page.getByTestId('gallery').selectOption({ label });
  await expect(page.getByTestId('past-hint')).toBeVisible();
  await page.getByTestId('back-to-now').click();
  await expect(page.getByTestId('back-to-now')).toHaveCount(0);
}
