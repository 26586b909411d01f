import type { BrowserContext, Page, Worker } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { uiCall } from './wallet.ts';

/**
 * The person's side of deposit walls, in Chromium with the built extension,
 * from deposits seeded into storage as the worker keeps them (src/deposit/book.ts;
 * their policy holds and ledger entries too, so every screen adds up): the
 * Deposits screen (locked now, the history, a forfeit standing out), the
 * release button against a site that cannot be reached, the Home line, the
 * Limits card and a site's switch, French, and the payment prompt of a deposit.
 */
const NEWS = 'https://news.example';
const VIDEO = 'https://video.example';
const HOUR = 3_600_000;
const BLOCK_MS = 600_000;
const hash = (n: number) => n.toString(16).padStart(64, '0');
const HELD_NEWS = hash(1);
const HELD_VIDEO = hash(2);

type State = 'paying' | 'held' | 'releasing' | 'refunded' | 'expired' | 'forfeited' | 'failed';
type Seed = { n: number; origin: string; amountSat: number; state: State; ageMs: number; maxHoldSeconds: number; forfeit: string; endedAgoMs?: number; note?: string };

const SEEDS: Seed[] = [
  { n: 1, origin: NEWS, amountSat: 5_000, state: 'held', ageMs: 12 * 60_000, maxHoldSeconds: 86_400, forfeit: `${NEWS}/terms#forfeit` },
  { n: 2, origin: VIDEO, amountSat: 2_100, state: 'held', ageMs: 20 * 60_000, maxHoldSeconds: 3_600, forfeit: 'Kept if the same account streams on more than two devices at once.' },
  { n: 3, origin: 'https://archive.example', amountSat: 1_000, state: 'refunded', ageMs: 5 * HOUR, endedAgoMs: 3 * HOUR, maxHoldSeconds: 86_400, forfeit: 'https://archive.example/terms' },
  { n: 4, origin: 'https://shop.example', amountSat: 20_000, state: 'forfeited', ageMs: 30 * HOUR, endedAgoMs: 26 * HOUR, maxHoldSeconds: 86_400, forfeit: 'https://shop.example/deposit-terms' },
  { n: 5, origin: 'https://forum.example', amountSat: 500, state: 'expired', ageMs: 50 * HOUR, endedAgoMs: 26 * HOUR, maxHoldSeconds: 86_400, forfeit: 'No spam.' },
  { n: 6, origin: 'https://forum.example', amountSat: 500, state: 'failed', ageMs: 51 * HOUR, endedAgoMs: 51 * HOUR, maxHoldSeconds: 86_400, forfeit: 'No spam.', note: 'NO_ROUTE' },
];
const LEDGER_STATUS: Partial<Record<State, string>> = { held: 'in_flight', refunded: 'refunded', expired: 'refunded', forfeited: 'succeeded' };

/** What the worker's keeper, policy and ledger would have stored for these deposits. */
async function seedDeposits(sw: Worker): Promise<void> {
  await sw.evaluate(
    async ({ seeds, ledgerStatus, blockMs }) => {
      const now = Date.now();
      const hex = (n: number) => n.toString(16).padStart(64, '0');
      const records: Record<string, unknown> = {};
      const reservations: Record<string, unknown> = {};
      const ledger: Record<string, unknown> = {};
      const ids: string[] = [];
      const day = new Date(now - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
      for (const s of seeds) {
        const paymentHash = hex(s.n);
        const createdAt = now - s.ageMs;
        const ended = s.endedAgoMs !== undefined && { endedAt: now - s.endedAgoMs };
        records[paymentHash] = {
          paymentHash,
          origin: s.origin,
          paidBy: s.origin,
          realm: 'visit',
          amountSat: s.amountSat,
          paymentRequest: 'lnbcrt1seeded',
          release: `${s.origin}/deposit/release`,
          status: `${s.origin}/deposit/status`,
          forfeit: s.forfeit,
          maxHoldSeconds: s.maxHoldSeconds,
          idleSeconds: 600,
          cltvLimit: 288,
          nonce: 'ab'.repeat(32),
          state: s.state,
          createdAt,
          ...(s.state !== 'failed' && { heldAt: createdAt }),
          lockedUntil: createdAt + 288 * blockMs,
          ...ended,
          ...(s.note !== undefined && { note: s.note }),
        };
        const maxFeeSat = Math.max(10, Math.ceil(s.amountSat / 100));
        if (s.state === 'held') {
          reservations[`r${s.n}`] = { id: `r${s.n}`, origin: s.origin, source: 'deposit', amountSat: s.amountSat, maxFeeSat, approvedByUser: false, day, createdAt };
        }
        const status = ledgerStatus[s.state];
        if (status) {
          const id = `seed${s.n}`;
          ids.push(id);
          ledger[`ledger:e:${id}`] = {
            schemaVersion: 2,
            id,
            origin: s.origin,
            kind: 'deposit',
            source: 'deposit',
            rail: 'btc',
            amountSat: s.amountSat,
            maxFeeSat,
            paymentHash,
            description: `visit (${new URL(s.origin).host})`,
            direction: 'out',
            status,
            ...(status === 'succeeded' && { feeSat: 1 }),
            ...(status === 'refunded' && { failureReason: 'INCORRECT_PAYMENT_DETAILS' }),
            createdAt,
            updatedAt: s.endedAgoMs !== undefined ? now - s.endedAgoMs : createdAt,
          };
          ledger[`ledger:h:${paymentHash}`] = id;
        }
      }
      type Spend = { reservations: Record<string, unknown> };
      const spend = ((await chrome.storage.local.get('policy:spend'))['policy:spend'] as Spend | undefined) ?? { schemaVersion: 2, reservations: {}, daily: {}, sites: {}, settled: [] };
      // Oldest first, as the ledger appends them.
      ids.reverse();
      await chrome.storage.local.set({
        deposits: { schemaVersion: 1, records },
        'policy:spend': { ...spend, reservations: { ...spend.reservations, ...reservations } },
        ...ledger,
        'ledger:i:0': ids,
        'ledger:meta': { schemaVersion: 2, chunks: 1 },
      });
    },
    { seeds: SEEDS, ledgerStatus: LEDGER_STATUS, blockMs: BLOCK_MS },
  );
}

/**
 * A tab showing the site, served by the test (the name resolves nowhere): the
 * keeper sees it open and keeps its deposit held, while the worker's own
 * release call to the site finds nobody.
 */
async function openSite(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.route(`${origin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: `<title>${origin}</title><h1>${origin}</h1>` }));
  await page.goto(`${origin}/`);
  return page;
}

async function openDeposits(popup: Page): Promise<void> {
  await popup.reload();
  await popup.getByTestId('home-locked').click();
  await expect(popup.getByTestId('deposits-screen')).toBeVisible();
  await expect(popup.getByTestId('deposit-item').first()).toBeVisible();
}

test('Deposits: locked now and the history, release against a site out of reach, Home, Limits, French', async ({ context, walletReady: popup, sw, shot }) => {
  await openSite(context, NEWS);
  await openSite(context, VIDEO);
  await uiCall(popup, { type: 'limits.updateSite', origin: NEWS, patch: { enabled: true, remember: true, allowance: { sat: 10_000 } } });
  await seedDeposits(sw);
  const locked = 5_000 + 50 + 2_100 + 21;

  // Home: the locked amount beside the balances, opening the Deposits screen.
  await popup.reload();
  await expect(popup.getByTestId('home-locked-amount')).toHaveText('7,171 sat');
  await shot(popup, '60-home-locked');
  await openDeposits(popup);

  const held = popup.getByTestId('deposit-item');
  await expect(held).toHaveCount(2);
  await expect(popup.getByTestId('deposits-locked-total')).toHaveAttribute('data-spent-sat', String(locked));
  await expect(popup.getByTestId('deposits-locked')).toContainText('7,171 sat of 1,000,000 sat locked');
  const news = popup.locator(`[data-hash="${HELD_NEWS}"]`);
  await expect(news.getByTestId('deposit-site')).toHaveText('news.example');
  await expect(news.getByTestId('deposit-state')).toHaveText('Held');
  await expect(news.getByTestId('deposit-amount')).toHaveText('5,000 sat');
  await expect(news.getByTestId('deposit-held-since')).toHaveText(/^1[23] minutes ago$/);
  // The site's 24 hours from when it was held come before the 2-day time-lock.
  await expect(news.getByTestId('deposit-back-by')).toHaveText('in 23 hours');
  await expect(news.getByTestId('deposit-terms')).toHaveText('news.example/terms');
  await expect(news.getByTestId('deposit-terms')).toHaveAttribute('href', `${NEWS}/terms#forfeit`);
  const video = popup.locator(`[data-hash="${HELD_VIDEO}"]`);
  // Its hour from when it was held; a minute may pass while the test reads it.
  await expect(video.getByTestId('deposit-back-by')).toHaveText(/^in (39|40) minutes$/);
  await expect(video.getByTestId('deposit-terms')).toHaveText(SEEDS[1]!.forfeit);
  await shot(popup, '61-deposits-locked');

  const history = popup.getByTestId('deposit-history-item');
  await expect(history.getByTestId('deposit-state')).toHaveText(['Refunded', 'Kept by the site', 'Refunded: time ran out', 'Not paid']);
  const forfeit = popup.locator(`[data-hash="${hash(4)}"]`).getByTestId('deposit-forfeit');
  await expect(forfeit).toContainText('shop.example kept this deposit, under its terms:');
  await expect(forfeit.getByTestId('deposit-terms')).toHaveText('shop.example/deposit-terms');
  await popup.getByTestId('deposits-history').scrollIntoViewIfNeeded();
  await shot(popup, '62-deposits-history');

  // Release: the site cannot be reached, so the deposit stays on its way back, still locked.
  await popup.getByTestId(`deposit-release-${HELD_NEWS}`).click();
  await expect(news.getByTestId('deposit-state')).toHaveText('Releasing…');
  await expect(news.getByTestId('deposit-releasing')).toContainText('Satnav asked news.example to release it.');
  await expect(popup.getByTestId(`deposit-release-${HELD_NEWS}`)).toHaveCount(0);
  await expect(popup.getByTestId(`deposit-release-${HELD_VIDEO}`)).toBeEnabled();
  await expect(popup.getByTestId('deposits-error')).toHaveCount(0);
  const after = await uiCall<{ items: Array<{ paymentHash: string; state: string; releaseAskedAt?: number }>; lockedSat: number }>(popup, { type: 'deposits.list' });
  expect(after.items.find((i) => i.paymentHash === HELD_NEWS)).toMatchObject({ state: 'releasing', releaseAskedAt: expect.any(Number) });
  expect(after.lockedSat).toBe(locked);
  await news.scrollIntoViewIfNeeded();
  await shot(popup, '63-deposits-releasing');
  // A refresh later (the poll) it still reads the same: only the node's word ends it.
  await popup.waitForTimeout(6_000);
  await expect(news.getByTestId('deposit-state')).toHaveText('Releasing…');

  // Back goes home; the Limits card: the locked total, the switch, the limits; the site's own switch and lock.
  await popup.getByTestId('back').click();
  await expect(popup.getByTestId('home')).toBeVisible();
  await popup.getByTestId('limits-button').click();
  const card = popup.getByTestId('limits-deposits');
  await expect(card).toBeVisible();
  await expect(popup.getByTestId('limit-deposit-auto-hold')).toBeChecked();
  await expect(popup.getByTestId('limit-deposit-max')).toHaveValue('100000');
  await expect(popup.getByTestId('limit-deposit-hold')).toHaveValue('24');
  await expect(popup.getByTestId('limit-deposit-cltv')).toHaveValue('288');
  await expect(card).toContainText('About 2 days');
  await popup.getByTestId('limit-deposit-hold').fill('721');
  await popup.getByTestId('limits-save-deposits').click();
  await expect(card.getByTestId('form-error')).toHaveText('Longest hold, in hours: enter a number of hours, from 1 minute to 30 days.');
  await popup.getByTestId('limit-deposit-hold').fill('1.5');
  await popup.getByTestId('limit-deposit-cltv').fill('144');
  await expect(card).toContainText('About 1 day');
  await popup.getByTestId('limits-save-deposits').click();
  await expect(card.getByTestId('limits-saved')).toBeVisible();
  await popup.getByTestId('limit-deposit-auto-hold').click();
  await expect(popup.getByTestId('limit-deposit-auto-hold')).not.toBeChecked();
  type Limits = { global: { deposits: Record<string, unknown> }; sites: Array<{ origin: string; depositsAllowed: boolean; lockedSat: number }> };
  const stored = await uiCall<Limits>(popup, { type: 'limits.get' });
  expect(stored.global.deposits).toEqual({ autoHold: false, maxDepositSat: 100_000, maxForfeitPerDaySat: 100_000, maxLockedSat: 1_000_000, maxHoldSeconds: 5_400, maxCltv: 144 });
  await card.scrollIntoViewIfNeeded();
  await shot(popup, '64-limits-deposits');
  await popup.getByTestId('deposits-button').scrollIntoViewIfNeeded();
  await shot(popup, '64-limits-deposits-end');

  const site = popup.getByTestId(`site-row-${NEWS}`);
  await expect(site.getByTestId(`site-locked-${NEWS}`)).toHaveText('5,050 sat locked in deposits (not spent)');
  await expect(popup.getByTestId(`site-deposits-${NEWS}`)).toBeChecked();
  await popup.getByTestId(`site-deposits-${NEWS}`).click();
  await expect(popup.getByTestId(`site-deposits-${NEWS}`)).not.toBeChecked();
  expect((await uiCall<Limits>(popup, { type: 'limits.get' })).sites.find((s) => s.origin === NEWS)).toMatchObject({ depositsAllowed: false, lockedSat: 5_050 });
  await site.scrollIntoViewIfNeeded();
  await shot(popup, '65-limits-site-deposits');

  // The deposit rows of the activity list: held, refunded, kept by the site.
  await popup.getByTestId('back').click();
  await popup.getByTestId('activity-button').click();
  const rows = popup.locator('[data-testid="activity-row"][data-kind="deposit"]');
  await expect(rows).toHaveCount(5);
  await expect(rows.locator('.activity-kind').first()).toHaveText('Deposit');
  await expect(rows.locator('.status')).toHaveText(['Held', 'Held', 'Refunded', 'Kept by the site', 'Refunded']);
  await shot(popup, '66-activity-deposits');

  // The options page: locked now and the history side by side, opened from Limits.
  const options = await context.newPage();
  await options.setViewportSize({ width: 1100, height: 900 });
  await options.goto(popup.url().replace('extension/popup/index.html', 'extension/options/index.html'));
  await options.getByTestId('limits-button').click();
  await options.getByTestId('deposits-button').click();
  await expect(options.getByTestId('deposits-history')).toBeVisible();
  await shot(options, '69-deposits-options');
  await options.close();

  // French: the longest words of the Deposits screen still read.
  await uiCall(popup, { type: 'settings.update', patch: { language: 'fr' } });
  await openDeposits(popup);
  await expect(popup.getByTestId('deposits-screen').locator('.bar-title')).toHaveText('Cautions');
  await expect(news.getByTestId('deposit-state')).toHaveText('Libération…');
  await expect(popup.getByTestId(`deposit-release-${HELD_VIDEO}`)).toHaveText('Libérer');
  await shot(popup, '67-deposits-fr');
  await popup.getByTestId('deposits-history').scrollIntoViewIfNeeded();
  await shot(popup, '67-deposits-fr-history');
  await uiCall(popup, { type: 'settings.update', patch: { language: 'en' } });
});

test('Payment prompt of a deposit: locked not spent, the longest hold, the worst case, the terms as text', async ({ context, walletReady: popup, extensionId, shot }) => {
  const lockedUntil = Date.now() + 288 * BLOCK_MS;
  const request = {
    kind: 'payment',
    origin: NEWS,
    label: 'deposit',
    amountSat: 5_000,
    maxFeeSat: 50,
    paymentHash: HELD_NEWS,
    destination: `02${'cd'.repeat(32)}`,
    description: 'visit (news.example)',
    reason: 'above_deposit_limit',
    approvable: true,
    budget: { allowance: { sat: 10_000 }, period: 'day', remainingSite: { sat: 10_000 }, remainingDaily: { sat: 10_000 } },
    deposit: { maxHoldSeconds: 86_400, lockedUntil, forfeit: `${NEWS}/terms#forfeit` },
  };
  // The question as the worker hands it to its window (a real deposit wall asks it in e2e/deposits.spec.ts).
  const prompt = await context.newPage();
  await prompt.setViewportSize({ width: 400, height: 640 });
  await prompt.addInitScript((question) => {
    const runtime = chrome.runtime as unknown as { sendMessage: (...args: unknown[]) => unknown };
    const real = runtime.sendMessage.bind(runtime);
    runtime.sendMessage = (...args: unknown[]) => {
      const message = args[0] as { request?: { type?: string } };
      if (message?.request?.type !== 'approval.get') return real(...args);
      const reply = { ok: true, result: { id: 'seeded', request: question, createdAt: Date.now() } };
      const callback = args.find((a): a is (r: unknown) => void => typeof a === 'function');
      if (!callback) return Promise.resolve(reply);
      setTimeout(() => callback(reply));
      return undefined;
    };
  }, request);
  await prompt.goto(`chrome-extension://${extensionId}/extension/prompt/index.html?id=seeded`);
  await expect(prompt.locator('.bar-title')).toHaveText('Lock a refundable deposit?');
  await expect(prompt.getByTestId('prompt-approve')).toHaveText('Lock 5,000 sat');
  await expect(prompt.getByTestId('prompt-deposit')).toContainText('The money is locked, not spent');
  await expect(prompt.getByTestId('prompt-deposit-hold')).toHaveText('1 day');
  await expect(prompt.getByTestId('prompt-deposit-forfeit')).toHaveText('news.example/terms');
  await expect(prompt.getByTestId('prompt-deposit').locator('a')).toHaveCount(0);
  await expect(prompt.getByTestId('prompt-reason')).toContainText('larger deposit than Satnav locks without asking');
  await expect(prompt.getByTestId('prompt-budget')).toHaveCount(0);
  await shot(prompt, '68-prompt-deposit');
  await prompt.getByTestId('prompt-reason').scrollIntoViewIfNeeded();
  await shot(prompt, '68-prompt-deposit-reason');
  await prompt.close();
  await expect(popup.getByTestId('home')).toBeVisible();
});
