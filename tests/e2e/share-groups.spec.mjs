// Share groups (KIP-932) in the page: the first download leaves their engine out, so a session
// that uses them opens in the share-groups build beside it (dist/share/), where the stage draws
// a share group's members on the same partitions and each share-partition's in-flight records.
import { test, expect } from '@playwright/test';
import { command, openForm, showTab } from './helpers.mjs';

test('a share-groups line opens the session in the share-groups build, whose stage shows the records each worker holds', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await command(page, 'topic create jobs partitions=1 replication-factor=1');
  await command(page, 'producer p');
  await command(page, 'send p jobs value=job-1');
  await command(page, 'send p jobs value=job-2');
  // Refused here, with the way to where it runs; nothing of the session is lost on the way.
  await page.getByTestId('command').fill('group config jobs share.auto.offset.reset=earliest');
  await page.getByTestId('command').press('Enter');
  await expect(page.locator('#command-error')).toContainText('share groups (KIP-932) are not in this build');
  await expect(page.getByTestId('share-build')).toBeVisible();
  await page.getByTestId('open-share-build').click();
  await expect(page).toHaveURL(/\/share\/#v1\./);
  await expect(page.getByTestId('script')).toHaveValue(/group config jobs share\.auto\.offset\.reset=earliest\n$/);
  await expect(page.getByTestId('script')).toHaveValue(/send p jobs key=null value=job-2/);
  await expect(page.getByTestId('share-build')).toHaveCount(0);

  await command(page, 'share-consumer w1 group.id=jobs max.poll.records=1 share.acquire.mode=record_limit');
  await command(page, 'share-consumer w2 group.id=jobs');
  await command(page, 'subscribe w1 jobs');
  await command(page, 'subscribe w2 jobs');
  await command(page, 'consume w1 processing.ms=60000');
  await command(page, 'advance 3s');
  // Both workers are members reading the one partition; w1 holds a record under its lock.
  await expect(page.getByTestId('stage-share-group-jobs')).toHaveAttribute('aria-label', /epoch \d+ Stable, 2 member/);
  await expect(page.getByTestId('stage-member-w1')).toHaveAttribute('aria-label', /w1 holds 1, reads jobs-0/);
  await expect(page.getByTestId('stage-member-w2')).toHaveAttribute('aria-label', /w2 holds 0, reads jobs-0/);
  const window = page.getByTestId('share-window-jobs-0');
  await expect(window).toHaveAttribute('aria-label', /^share-partition jobs-0 start offset 0 end offset 0: offset 0 Acquired by w1, delivered 1x; the soonest lock expires in \d+\.\d s$/);
  await expect(window.locator('.share-cell.Acquired')).toHaveCount(1);
  // The partition's log marks it too: the record acquired, and by whom.
  await showTab(page, 'partitions');
  await expect(page.getByTestId('partition-jobs-0').locator('.cell.share-Acquired')).toHaveAttribute('title', /share group jobs: Acquired by w1, delivered 1x/);
  expect(errors).toEqual([]);
});

test('the share-groups lesson and the gallery\'s share-group scenarios open in the share-groups build', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?new');
  await page.getByTestId('lesson-pick').selectOption({ label: '11. Share groups: Kafka as a queue (KIP-932)' });
  await expect(page).toHaveURL(/\/share\/\?lesson=share-groups$/);
  await expect(page.getByTestId('lesson').locator('h2')).toHaveText('Share groups: Kafka as a queue (KIP-932)');
  // Every step, as a learner does it: predict where asked (the right answer), do, and every
  // checkpoint turns green before the next step.
  const lesson = page.getByTestId('lesson');
  const answers = { 2: 1, 3: 1, 5: 1 };
  for (let step = 1; step <= 5; step++) {
    await expect(lesson.getByTestId('lesson-step')).toHaveText(new RegExp(`^Step ${step} of 5`));
    if (answers[step] !== undefined) await lesson.getByTestId(`lesson-choice-${answers[step]}`).click();
    await lesson.getByTestId('lesson-do').click();
    if (await lesson.getByTestId('lesson-skip').count()) await lesson.getByTestId('lesson-skip').click();
    await expect(lesson.getByTestId('lesson-checks').locator('li.todo')).toHaveCount(0);
    if (step < 5) await lesson.getByTestId('lesson-next').click();
  }

  // By link too, the link's query kept.
  await page.goto('/?embed&lesson=share-groups&view=lesson,stage');
  await expect(page).toHaveURL(/\/share\/\?embed&lesson=share-groups&view=lesson,stage$/);
  await expect(page.getByTestId('lesson').locator('h2')).toHaveText('Share groups: Kafka as a queue (KIP-932)');

  page.on('dialog', (d) => d.accept());
  await page.goto('/?new');
  await page.getByTestId('gallery').selectOption({ label: 'Share group: a poison record: released each time it fails, delivered again and counted, archived at the delivery limit' });
  await expect(page).toHaveURL(/\/share\/#v1\./);
  await expect(page.getByTestId('script')).toHaveValue(/share\.delivery\.count\.limit=3/);
  expect(errors).toEqual([]);
});

test('the groups form adds workers to a share group; a poison record released comes back, counted, until archived', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/share/?new');
  await command(page, 'topic create jobs partitions=1 replication-factor=1');
  await command(page, 'group config jobs share.delivery.count.limit=3');
  await command(page, 'producer p');
  for (const value of ['ok-1', 'poison', 'ok-2']) await command(page, `send p jobs value=${value}`);
  await openForm(page, 'groups');
  const form = page.getByTestId('share-form');
  await form.getByTestId('share-group-id').fill('jobs');
  await form.getByTestId('share-app').selectOption({ label: 'poison records released: delivered again up to the limit' });
  await form.getByTestId('share-add').click();
  await form.getByTestId('share-app').selectOption({ label: '100 ms a record, implicit acknowledgement' });
  await form.getByTestId('share-add').click();
  await expect(page.getByTestId('script')).toHaveValue(/share-consumer member-1 group\.id=jobs share\.acknowledgement\.mode=explicit\nsubscribe member-1 jobs\nconsume member-1 processing\.ms=100 fail\.value=poison on\.failure=release\n/);
  await command(page, 'advance 5s');
  // Both workers read jobs-0; the poison record was delivered three times and archived, and every
  // record is done with: the window is empty at offset 3.
  await expect(page.getByTestId('stage-share-group-jobs')).toHaveAttribute('aria-label', /2 member/);
  await expect(page.getByTestId('share-window-jobs-0')).toHaveAttribute('aria-label', /^share-partition jobs-0 start offset 3 end offset 3: no record in flight$/);
  await expect(page.getByTestId('group-jobs').locator('caption').first()).toHaveText('kafka-share-groups --describe --members --verbose --group jobs');
  await expect(page.getByTestId('member-member-1').getByRole('button', { name: 'Crash' })).toHaveAttribute('title', /locks expire/);
  // On the partition's log, the share group's mark is its start offset, not a committed offset.
  await showTab(page, 'partitions');
  await expect(page.getByTestId('readers-jobs-0')).toContainText('share group jobs SPSO');
  expect(errors).toEqual([]);
});
