// The stage: what a new user does first, seen on one picture. Each test saves a screenshot
// (tests/e2e/results/stage-*.png; the README's is docs/stage.png).
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { command, loadScript } from './helpers.mjs';

const literally = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));


test('the first visit shows a working cluster with records moving, without a click', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const stage = page.getByTestId('stage');
  await expect(stage).toBeVisible();
  // Within two seconds, produce, replication and fetch flows are drawn with their rates.
  await expect(stage.locator('path.flow.produce').first()).toBeVisible({ timeout: 2_000 });
  // The group forms after group.initial.rebalance.delay.ms (3 s), then fetches.
  await expect(stage.locator('path.flow.consume').first()).toBeVisible({ timeout: 8_000 });
  await expect(page.getByTestId('stage-member-consumer-1')).toHaveAccessibleName(/^consumer-1 lag \d+, owns orders-/);
  await expect(page.getByTestId('try-this')).toContainText('crash it');
  await page.screenshot({ path: 'tests/e2e/results/stage-first-visit.png' });
  await page.screenshot({ path: 'docs/stage.png' });
  expect(errors).toEqual([]);
});

test('five keyed records: the stage shows which partition each went to, keys readable', async ({ page }) => {
  await page.goto('/?new');
  await command(page, 'topic create orders partitions=3 replication-factor=3');
  for (const key of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    await command(page, `send producer-1 orders key=${key} value=order-of-${key}`);
  }
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  await expect(page.getByTestId('stage-producer-1')).toHaveAccessibleName(/acked 5 /, { timeout: 10_000 });
  await page.getByTestId('play').click();
  // murmur2 puts each key in one partition; the leader chip of each opens its records.
  const keys = [];
  for (const p of [0, 1, 2]) {
    await page.getByTestId(`chip-orders-${p}-leader`).click();
    await expect(page.getByTestId('inspector').locator('h2')).toHaveText(`orders-${p}`);
    const table = page.getByTestId('inspector').locator('table.records');
    keys.push(...(await table.locator('tbody tr td:nth-child(2)').allTextContents()));
  }
  expect(keys.sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  await page.screenshot({ path: 'tests/e2e/results/stage-keys.png' });
});

test('crash a leader: its chips go grey, the leader moves and the ISR shrinks; a restart rejoins', async ({ page }) => {
  await page.goto('/?new');
  await command(page, 'topic create payments partitions=1 replication-factor=3');
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  const leaderChip = page.locator('[data-testid="chip-payments-0-leader"]');
  await expect(leaderChip).toHaveCount(1);
  const broker = await page.evaluate(() => {
    const chip = document.querySelector('[data-testid="chip-payments-0-leader"]');
    return chip.closest('g.broker-group').querySelector('[data-testid^="stage-broker-"]').getAttribute('data-testid').replace('stage-broker-', '');
  });
  await page.getByTestId(`stage-broker-${broker}`).click();
  await page.getByTestId(`inspect-crash-${broker}`).click();
  await expect(page.getByTestId(`stage-broker-${broker}`)).toHaveAccessibleName(/stopped/);
  // Another broker leads; the dead one's replica leaves the ISR.
  await expect(page.getByTestId('chip-payments-0-out-of-sync')).toHaveCount(1, { timeout: 20_000 });
  await expect(page.getByTestId('chip-payments-0-leader')).toHaveCount(1);
  await page.screenshot({ path: 'tests/e2e/results/stage-leader-crashed.png' });
  await page.getByTestId(`inspect-start-${broker}`).click();
  await expect(page.getByTestId('chip-payments-0-out-of-sync')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('script')).toHaveValue(literally(`broker start ${broker}`));

  // The timeline marks when the broker stopped and the leader moved; a mark travels back to it.
  await page.getByTestId('play').click();
  const stopped = page.locator(`[data-testid="timeline-mark"][aria-label*="broker-${broker} stopped"]`);
  await expect(stopped).toHaveCount(1);
  await expect(page.locator('[data-testid="timeline-mark"][aria-label*=": broker-"][aria-label*="leads"]').first()).toBeAttached();
  await page.screenshot({ path: 'tests/e2e/results/stage-timeline-marks.png' });
  await stopped.click();
  await expect(page.getByTestId('back-to-now')).toBeVisible();
  await expect(page.getByTestId(`stage-broker-${broker}`)).toHaveAccessibleName(/stopped/);
});

test('a group of three owns the partitions; a fourth member joins and the group rebalances', async ({ page }) => {
  await page.goto('/?new');
  await command(page, 'topic create events partitions=4 replication-factor=3');
  for (const n of [1, 2, 3]) {
    await command(page, `consumer m${n} group.id=analytics auto.offset.reset=earliest`);
    await command(page, `subscribe m${n} events`);
    await command(page, `consume m${n}`);
  }
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  const group = page.getByTestId('stage-group-analytics');
  await expect(group).toHaveAccessibleName(/gen 1 Stable, 3 member/, { timeout: 20_000 });
  for (const n of [1, 2, 3]) {
    await expect(page.getByTestId(`stage-member-m${n}`)).toHaveAccessibleName(/owns events-/);
  }
  await group.click();
  await expect(page.getByTestId('inspector').getByTestId('group-describe').locator('tbody tr')).toHaveCount(4);
  await page.getByTestId('inspect-add-member').click();
  // The rebalance seen: a partition leaving m1's row fades out there, then is gone.
  const fading = page.getByTestId('stage').locator('.owned-chip.revoked');
  await expect(fading.first()).toBeAttached({ timeout: 20_000 });
  await page.screenshot({ path: 'tests/e2e/results/stage-rebalance.png' });
  await expect(group).toHaveAccessibleName(/gen 2 Stable, 4 member/, { timeout: 20_000 });
  await expect(fading).toHaveCount(0, { timeout: 5_000 });
  await expect(page.getByTestId('stage-member-analytics-member-1')).toHaveAccessibleName(/lag \d+, owns events-\d$/);
  await page.screenshot({ path: 'tests/e2e/results/stage-group.png' });
});

test('a consumer-protocol group: epochs on the stage, the describe card, a member added moves one partition', async ({ page }) => {
  await page.goto('/?new');
  await command(page, 'topic create events partitions=4 replication-factor=3');
  for (const n of [1, 2]) {
    await command(page, `consumer k${n} group.id=kip848 group.protocol=consumer auto.offset.reset=earliest`);
    await command(page, `subscribe k${n} events`);
    await command(page, `consume k${n}`);
  }
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  const group = page.getByTestId('stage-group-kip848');
  await expect(group).toHaveAccessibleName(/epoch 2 Stable, 2 member/, { timeout: 20_000 });
  await group.click();
  const card = page.getByTestId('inspector').getByTestId('group-kip848');
  await expect(card).toContainText('consumer protocol · group epoch 2 · target assignment epoch 2 · assignor uniform');
  await page.getByTestId('inspect-add-member').click();
  await expect(group).toHaveAccessibleName(/epoch 3 (Stable|Reconciling), 3 member/, { timeout: 20_000 });
  await expect(group).toHaveAccessibleName(/epoch 3 Stable, 3 member/, { timeout: 20_000 });
  await expect(page.getByTestId('stage-member-kip848-member-1')).toHaveAccessibleName(/owns events-\d$/);
  // kafka-consumer-groups --describe --members --verbose: each member's epoch, its partitions
  // and its target, all at epoch 3 once the group is stable.
  const members = card.getByTestId('group-members');
  await expect(members).toContainText('TARGET-ASSIGNMENT');
  await expect(members.locator('tbody tr')).toHaveCount(3);
  await expect(members.locator('tbody tr').first()).toContainText(/events:\d/);
  await page.screenshot({ path: 'tests/e2e/results/stage-consumer-protocol.png' });
});

test('a consumer subscribing by a regex the coordinator resolves joins the group with the topics it matches', async ({ page }) => {
  await page.goto('/?new');
  await command(page, 'topic create orders-eu partitions=1 replication-factor=1');
  await command(page, 'topic create orders-us partitions=1 replication-factor=1');
  await command(page, 'consumer r1 group.id=regional group.protocol=consumer auto.offset.reset=earliest');
  await command(page, "subscribe r1 regex='orders-.*'");
  await command(page, 'consume r1');
  await page.getByRole('button', { name: '10×', exact: true }).click();
  await page.getByTestId('play').click();
  const group = page.getByTestId('stage-group-regional');
  await expect(group).toHaveAccessibleName(/Stable, 1 member/, { timeout: 20_000 });
  await group.click();
  const members = page.getByTestId('inspector').getByTestId('group-regional').getByTestId('group-members');
  await expect(members.locator('tbody tr').first()).toContainText('orders-eu:0;orders-us:0', { timeout: 20_000 });
  await page.getByTestId('events').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('events')).toContainText("resolves regex 'orders-.*' to [orders-eu, orders-us]");
});

for (const [width, height] of [[375, 700], [700, 620]]) {
  test(`at ${width}x${height} the page has no horizontal scroll and the stage's text does not overlap`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/');
    await expect(page.getByTestId('stage').locator('path.flow').first()).toBeVisible({ timeout: 4_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'horizontal scroll').toBeLessThanOrEqual(0);
    // Names and labels on the stage: no two overlap (bounding boxes, not by eye).
    const overlaps = await page.evaluate(() => {
      const texts = [...document.querySelectorAll('svg.stage text.name, svg.stage text.chip-name, svg.stage text.small')]
        .map((t) => ({ text: t.textContent, box: t.getBoundingClientRect() }))
        .filter((t) => t.box.width > 0);
      const out = [];
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i].box, b = texts[j].box;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) out.push(`${texts[i].text} / ${texts[j].text}`);
        }
      }
      return out;
    });
    expect(overlaps).toEqual([]);
    // And readable: the stage's smallest text (a card's detail lines) is drawn at least 10 px high
    // (the wide scene at 700 px drew it at 9: two thirds of its size).
    const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('svg.stage text.small')]
      .map((t) => t.getBoundingClientRect().height).filter((h) => h > 0)));
    expect(smallest, 'the height of the stage\'s smallest text').toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: `tests/e2e/results/stage-${width}.png` });
  });
}

test('twelve brokers and sixty partitions: at 1440x900 the whole stage is on the screen', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?new');
  // The busy cluster of the browser benchmark: 12 brokers, topics of 12, 12, 24, 6 and 6 partitions at RF 3.
  const script = readFileSync('tests/bench/busy.kafka', 'utf8').trim().split('\n');
  await loadScript(page, script, '12.000 s');
  await page.evaluate(() => window.scrollTo(0, 0));
  const stage = await page.locator('svg.stage').boundingBox();
  expect(stage.y + stage.height, 'the stage\'s bottom edge').toBeLessThanOrEqual(900);
  await expect(page.getByTestId('stage-broker-12')).toBeInViewport();
  await page.screenshot({ path: 'tests/e2e/results/stage-twelve-brokers.png' });
});

test('in dark mode the stage passes the accessibility audit, contrast included', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.getByTestId('stage').locator('path.flow').first()).toBeVisible({ timeout: 4_000 });
  await page.getByTestId('play').click();
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
  await page.screenshot({ path: 'tests/e2e/results/stage-dark.png' });
});

test('a comparison sits beside the stage, and its differing rows are readable in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?lesson=idempotence&compare=p%20acks%3Dall');
  const summary = page.getByTestId('compare-summary');
  await expect(summary).toContainText('p acks=all');
  // Beside the stage, not below the page's panels.
  const stage = await page.getByTestId('stage').boundingBox();
  const beside = await summary.boundingBox();
  expect(beside.x, 'the comparison\'s left edge').toBeGreaterThan(stage.x + stage.width);
  // Run the lesson's step so that an outcome differs, then audit the comparison, contrast included.
  await page.getByRole('button', { name: /^Do it/ }).click();
  await expect(summary.locator('tr.differs').first()).toBeVisible({ timeout: 10_000 });
  const results = await new AxeBuilder({ page }).include('[data-testid="compare-summary"]').withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
  await page.screenshot({ path: 'tests/e2e/results/stage-compare-dark.png' });
});

test('eligible leader replicas: the last in-sync replica crashes and an eligible one, drawn dotted, leads', async ({ page }) => {
  await page.goto('/?new');
  page.on('dialog', (d) => d.accept());
  await loadScript(page, [
    'seed 17',
    'cluster brokers=5',
    'topic create orders replica-assignment=3:4:5 min.insync.replicas=2',
    'producer p acks=all linger.ms=0',
    'send p orders key=a value=1',
    'advance 1s',
    'broker shutdown 5',
    'advance 1s',
    'broker shutdown 4',
    'advance 1s',
  ], '3.000 s');
  // Broker 4 left an ISR below min.insync.replicas: it is eligible, dotted, and says so.
  const eligible = page.getByTestId('chip-orders-0-eligible');
  await expect(eligible).toHaveCount(1);
  await expect(eligible).toHaveAccessibleName(/^orders-0 ELR: offline, not in ISR, an eligible leader replica|^orders-0 ELR: follower, not in ISR, an eligible leader replica/);
  await command(page, 'broker stop 3');
  await command(page, 'advance 15s');
  await expect(page.getByTestId('chip-orders-0-eligible')).toHaveCount(2);
  await command(page, 'broker start 4');
  await command(page, 'advance 5s');
  // Broker 4 leads without an unclean election; broker 3 is still eligible.
  await expect(page.getByTestId('chip-orders-0-leader')).toHaveCount(1);
  await expect(page.getByTestId('chip-orders-0-eligible')).toHaveCount(1);
  await page.getByTestId('chip-orders-0-leader').click();
  await expect(page.getByTestId('inspect-partition')).toContainText('ELR');
  await page.screenshot({ path: 'tests/e2e/results/stage-elr.png' });
});

test('a cluster without topics says so under the brokers, inside the picture, at every width', async ({ page }) => {
  for (const width of [1440, 700, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/?lesson=kraft');
    const stage = page.getByTestId('stage');
    const hint = stage.locator('text.hint', { hasText: 'No topic yet' });
    await expect(hint).toBeVisible();
    // Inside the drawing (it was once placed above its top edge, clipped away).
    const [h, s] = [await hint.boundingBox(), await stage.locator('svg.stage').boundingBox()];
    expect(h.y).toBeGreaterThanOrEqual(s.y);
    expect(h.y + h.height).toBeLessThanOrEqual(s.y + s.height);
  }
});
