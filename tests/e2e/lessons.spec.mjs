// A guided lesson, step by step: explanation, the action as a button, the
// checkpoint turning green, what to notice, and the next step.
import { test, expect } from '@playwright/test';

test('the replication lesson walks from three copies to a leader election and back', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await page.getByTestId('lesson-pick').selectOption({ index: 3 });
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-step')).toHaveText(/^Step 1 of 4/);
  await expect(lesson.getByTestId('lesson-next')).toBeDisabled();
  await expect(lesson.getByTestId('lesson-notice')).toHaveCount(0);
  for (let step = 1; step <= 4; step++) {
    await expect(lesson.getByTestId('lesson-step')).toHaveText(new RegExp(`^Step ${step} of 4`));
    if (step === 3) {
      // Predict, then see: the action waits for an answer, and the checkpoints (which could give
      // it away) show only once the learner has chosen.
      await expect(lesson.getByTestId('lesson-do')).toBeDisabled();
      await expect(lesson.getByTestId('lesson-checks-hidden')).toBeVisible();
      await expect(lesson.getByTestId('lesson-checks')).toHaveCount(0);
      await lesson.getByTestId('lesson-choice-1').click();
      await expect(lesson.getByTestId('lesson-checks')).toHaveCount(1);
      await lesson.getByTestId('lesson-do').click();
      await expect(lesson.getByTestId('lesson-verdict')).toContainText('Not quite: the answer is broker 2.');
      await expect(lesson.getByTestId('lesson-verdict')).toContainText('replica order');
    } else if (step === 4) {
      // "Do it" plays the step's 40 seconds on the clock; Skip applies the rest at once.
      await lesson.getByTestId('lesson-do').click();
      await expect(lesson.getByTestId('lesson-do')).toContainText('Playing');
      await expect(lesson.getByTestId('lesson-next')).toBeDisabled();
      await lesson.getByTestId('lesson-skip').click();
      await expect(lesson.getByTestId('lesson-skip')).toHaveCount(0);
    } else {
      await lesson.getByTestId('lesson-do').click();
    }
    await expect(lesson.getByTestId('lesson-checks').locator('li.todo')).toHaveCount(0);
    await expect(lesson.getByTestId('lesson-notice').first()).toBeVisible();
    await lesson.getByTestId('lesson-next').click();
  }
  await expect(page.getByTestId('lesson')).toHaveCount(0);
  await expect(page.getByTestId('script')).toHaveValue(/broker stop 4/);
  expect(errors).toEqual([]);
});

test('a lesson opens by link, embedded too, and an unknown one is named with the list', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?lesson=acks');
  const lesson = page.getByTestId('lesson');
  await expect(lesson.locator('h2')).toHaveText('acks and min.insync.replicas: when a write counts');
  await expect(lesson.getByTestId('lesson-step')).toHaveText(/^Step 1 of 5/);
  await expect(lesson.getByTestId('lesson-link')).toHaveAttribute('href', '?lesson=acks');

  await page.goto('/?embed&lesson=topics&view=lesson,partitions');
  await expect(page.getByTestId('lesson').locator('h2')).toHaveText(/^Topics and partitions/);
  await page.getByTestId('lesson').getByTestId('lesson-do').click();
  await expect(page.getByTestId('lesson').getByTestId('lesson-checks').locator('li.todo')).toHaveCount(0);

  await page.goto('/?lesson=quantum');
  await expect(page.getByRole('alert').first()).toContainText("unknown lesson 'quantum' (lessons: kraft, topics, replication");
  expect(errors).toEqual([]);
});
