import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/testing';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';
import {
  KEY_A,
  KEY_B,
  OPERATOR_KEY,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

/** Debian's chromium (.ci/run installs it); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const BUDGET = 40;
/** The name the seeding's caller key is given. */
const CALLER_NAME = 'Shop 北京';
const CHECK = '/identity/phone/check-3e';
/** Every phone the seeding sends: none may reach the page in full. */
const PHONES = [
  '13800000000',
  '13800000001',
  '13800000002',
  '13800000005',
  '13600000002',
];

/** One verification through the app; throws unless it answers `status`. Returns the trace_id its caller got. */
async function verify(
  harness: Harness,
  phone: string,
  status = 200,
): Promise<string> {
  const response = await fetch(`${harness.url}${CHECK}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${KEY_A}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      name: TEST_NAME,
      phone,
      id_card: TEST_ID_CARD,
    }),
  });
  const answer = (await response.json()) as { trace_id?: unknown };
  if (response.status !== status) {
    throw new Error(`${phone}: ${response.status}, not ${status}`);
  }
  return String(answer.trace_id);
}

/** The `data-trace-id` of each row of the latest verifications, in order. */
async function traceIds(page: Page): Promise<string[]> {
  const rows = page.locator('#recent-rows tr[data-trace-id]');
  const ids: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    ids.push((await rows.nth(i).getAttribute('data-trace-id')) ?? '');
  }
  return ids;
}

/**
 * Waits until the latest verifications show `count` rows. Polled from here:
 * waitForFunction would evaluate in the page, which its CSP forbids.
 */
async function rowsBecome(page: Page, count: number): Promise<void> {
  const rows = page.locator('#recent-rows tr');
  for (let waited = 0; waited < 10_000; waited += 50) {
    if ((await rows.count()) === count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the table kept ${await rows.count()} rows, not ${count}`);
}

/** A time as the board must show it: China time, whatever the browser's zone. */
const chinaTime = (at: string): string =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(at));

/** Runs browser-side JavaScript (a string: the test's TypeScript has no DOM types). */
const inPage = <T>(page: Page, expression: string): Promise<T> =>
  page.evaluate(expression) as Promise<T>;

async function operator<T>(harness: Harness, path: string): Promise<T> {
  const response = await fetch(`${harness.url}${path}`, {
    headers: { authorization: `Bearer ${OPERATOR_KEY}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** A page of its own, with every console error and every same-origin response body it saw. */
async function openBoard(context: BrowserContext, harness: Harness) {
  const page = await context.newPage();
  const errors: string[] = [];
  const bodies: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', async (response) => {
    if (!response.url().startsWith(harness.url)) return;
    bodies.push(await response.text().catch(() => ''));
  });
  const answer = await page.goto(`${harness.url}/board`);
  return { page, errors, bodies, answer };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.fill('#operator-key', key);
  await page.click('#sign-in-form button[type="submit"]');
}

const metric = async (page: Page, name: string): Promise<string> =>
  (await page.textContent(`[data-metric="${name}"]`))?.trim() ?? '';

describe('the operator’s board in Chromium (playwright-core, Debian’s chromium)', () => {
  let harness: Harness;
  let browser: Browser;
  /** The trace_id the caller of the timed-out call got (AceData sent none). */
  let lostCallTraceId: string;

  beforeAll(async () => {
    harness = await startHarness(
      {
        PHONE_VERIFICATION_DAILY_BUDGET: String(BUDGET),
        PHONE_VERIFICATION_CACHE_TTL_MS: '600000',
        PHONE_VERIFICATION_CACHE_SECRET:
          'board-e2e-cache-secret-of-32-characters',
        SAMPLE_APP_PRICE_PER_CALL_CNY: '0.35',
        // The caller key the seeding uses has a name; the other has none.
        SAMPLE_APP_API_KEYS: `${CALLER_NAME}=${KEY_A},${KEY_B}`,
      },
      // Long enough for two identical calls to overlap (one shares the other's).
      { latencyMs: 150 },
    );
    // Seeded through real verifications against the sandbox: billed, a
    // cache hit, a shared answer, no record, another result (-4), and a
    // timeout that may have been billed; and two requests refused for their
    // input (nothing sent upstream: only counted).
    await verify(harness, '12345', 400);
    await verify(harness, '23800000000', 400);
    await verify(harness, '13800000000');
    await verify(harness, '13800000000');
    await Promise.all([
      verify(harness, '13800000001'),
      verify(harness, '13800000001'),
    ]);
    await verify(harness, '13800000002');
    await verify(harness, '13800000005');
    lostCallTraceId = await verify(harness, '13600000002', 504);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it.each([
    ['a desk', { width: 1280, height: 800 }, 'board.png'],
    ['a phone', { width: 390, height: 844 }, 'board-phone.png'],
  ])(
    'on %s: signs in with an operator key and shows each figure as /usage and the upstream stand-in count it, with no raw identity anywhere and no console error',
    async (_label, viewport, screenshot) => {
      // A browser far from China, in another locale: the page still shows
      // China time.
      const context = await browser.newContext({
        viewport,
        acceptDownloads: true,
        timezoneId: 'America/New_York',
        locale: 'en-US',
      });
      try {
        const { page, errors, bodies, answer } = await openBoard(
          context,
          harness,
        );
        expect(answer?.status()).toBe(200);
        expect(answer?.headers()['content-security-policy']).toBe(STRICT_CSP);
        await signIn(page, OPERATOR_KEY);
        await page.waitForSelector('body[data-loaded="true"]');

        const summary = await operator<{ day: string }>(
          harness,
          '/board/summary',
        );
        const usage = await operator<{
          totals: Record<string, number>;
        }>(harness, `/usage?from=${summary.day}&to=${summary.day}`);
        const upstream = harness.sandbox.calls();
        const figures = {
          billed: await metric(page, 'billed-today'),
          budget: await metric(page, 'budget-today'),
          mayHaveBilled: await metric(page, 'may-have-billed-today'),
          cacheHits: await metric(page, 'cache-hits-today'),
          shared: await metric(page, 'shared-today'),
          savedCalls: await metric(page, 'saved-calls-today'),
          upstreamCalls: await metric(page, 'upstream-calls-today'),
          savedCny: await metric(page, 'saved-cny-today'),
          rejected: await metric(page, 'rejected-today'),
        };
        expect(figures).toEqual({
          billed: String(usage.totals.billed),
          budget: String(BUDGET),
          mayHaveBilled: String(usage.totals.may_have_billed),
          cacheHits: String(usage.totals.cache_hits),
          shared: String(usage.totals.shared),
          savedCalls: String(usage.totals.cache_hits + usage.totals.shared),
          upstreamCalls: String(upstream.total),
          savedCny: (
            (usage.totals.cache_hits + usage.totals.shared) *
            0.35
          ).toFixed(2),
          rejected: String(usage.totals.rejected),
        });
        // What the stand-in counted, and what the seeding made.
        expect(Number(figures.billed)).toBe(upstream.billed);
        expect(figures).toMatchObject({
          billed: '2',
          // The timeout, and the -4 (money-safe until a bill settles it).
          mayHaveBilled: '2',
          cacheHits: '1',
          shared: '1',
          savedCalls: '2',
          rejected: '2',
        });
        expect(await metric(page, 'outcome-errors')).toBe('1');
        expect(await metric(page, 'outcome-other')).toBe('1');

        // The latest verifications: one row each, each with its trace_id.
        const traces = await traceIds(page);
        expect(traces).toHaveLength(7);
        const upstreamTraces = traces.filter(Boolean);
        expect(upstreamTraces.length).toBeGreaterThanOrEqual(4);

        // Every row's time in China time, labelled, whatever the browser's
        // zone; the "as of" time too.
        const { verifications } = await operator<{
          verifications: { at: string }[];
        }>(harness, '/board/verifications?limit=50');
        const shownTimes = await page
          .locator('#recent-rows tr td:first-child')
          .allTextContents();
        expect(shownTimes).toEqual(verifications.map((v) => chinaTime(v.at)));
        expect(await page.textContent('#recent thead th')).toBe(
          'Time (China, UTC+8)',
        );
        expect(await page.textContent('#as-of')).toMatch(
          /^as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(China time\)$/,
        );

        // Status and billed in view on every row, with no sideways scroll
        // of the table either.
        for (const label of ['Status', 'Billed']) {
          const box = await page
            .locator(
              `#recent-rows tr td:nth-child(${label === 'Status' ? 4 : 5})`,
            )
            .first()
            .boundingBox();
          expect(box?.x).toBeGreaterThanOrEqual(0);
          expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(
            viewport.width,
          );
        }
        expect(
          await inPage(
            page,
            "(() => { const w = document.querySelector('#recent .table-wrap'); return w.scrollWidth <= w.clientWidth; })()",
          ),
        ).toBe(true);
        // The reconciliation's totals too (each figure labelled on a phone).
        expect(
          await inPage(
            page,
            "[...document.querySelectorAll('#reconciliation .table-wrap')].every((w) => w.scrollWidth <= w.clientWidth)",
          ),
        ).toBe(true);
        // With a budget, its gauge; no "no budget" line.
        expect(await page.isHidden('#no-budget')).toBe(true);
        expect(await page.isVisible('#budget-gauge')).toBe(true);

        // Nothing identifying in the page, nor in anything it fetched; the
        // key in this tab's session storage only.
        const dom = await page.content();
        for (const raw of [TEST_NAME, TEST_ID_CARD, ...PHONES, KEY_A]) {
          expect(dom).not.toContain(raw);
          for (const body of bodies) expect(body).not.toContain(raw);
        }
        expect(bodies.length).toBeGreaterThanOrEqual(6);
        expect(
          await inPage(
            page,
            '({ session: sessionStorage.length, local: localStorage.length, cookies: document.cookie })',
          ),
        ).toEqual({ session: 1, local: 0, cookies: '' });
        expect(page.url()).toBe(`${harness.url}/board`);
        expect(dom).not.toContain(OPERATOR_KEY);

        // It fits the viewport: no sideways scrolling, charts drawn.
        expect(
          await inPage(
            page,
            'document.documentElement.scrollWidth <= window.innerWidth',
          ),
        ).toBe(true);
        const gauge = await page.locator('#budget-gauge').boundingBox();
        expect(gauge?.width).toBeGreaterThan(100);
        expect(
          (await page.locator('#days-chart').boundingBox())?.width,
        ).toBeGreaterThan(300);

        if (process.env.BOARD_SCREENSHOT_DIR) {
          await page.screenshot({
            path: join(process.env.BOARD_SCREENSHOT_DIR, screenshot),
            fullPage: true,
          });
        }
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it('filters by trace_id start, status, caller and China days, and exports the filtered rows as CSV (masked)', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      const all = (await traceIds(page)).length;

      // The timeout: an error that may have been billed.
      await page.selectOption('#filter-status', 'error');
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 1);
      expect(
        await page.locator('#recent-rows tr td:nth-child(5)').textContent(),
      ).toBe('may have');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#rows-csv'),
      ]);
      expect(download.suggestedFilename()).toBe('verifications.csv');
      const lines = readFileSync((await download.path()) ?? '', 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(
        'at,caller,caller_name,masked_phone,answered_by,status,code,billed,may_have_billed,error,trace_id,request_id,latency_ms',
      );
      expect(lines[1]).toContain(',136****0002,upstream,error,,false,true,');

      // Statuses combine with callers and days.
      await page.selectOption('#filter-status', 'consistent');
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 2);
      const { verifications } = await operator<{
        verifications: { caller: string }[];
      }>(harness, '/board/verifications?limit=1');
      await page.fill('#filter-caller', verifications[0].caller);
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 2);
      // The caller is shown by the name its key was given, and found by it.
      expect(
        await page
          .locator('#recent-rows td[data-label="Caller"]')
          .allTextContents(),
      ).toEqual([CALLER_NAME, CALLER_NAME]);
      await page.fill('#filter-caller', CALLER_NAME);
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 2);
      // /usage takes the name as well: the same report as by id.
      const { day } = await operator<{ day: string }>(
        harness,
        '/board/summary',
      );
      const usageOf = (caller: string) =>
        operator<{ totals: { upstream_calls: number; rejected: number } }>(
          harness,
          `/usage?from=${day}&to=${day}&caller=${encodeURIComponent(caller)}`,
        );
      const byId = await usageOf(verifications[0].caller);
      expect(byId.totals.upstream_calls).toBeGreaterThan(0);
      // The seeding's two bad-input requests count against their caller.
      expect(byId.totals.rejected).toBe(2);
      expect(await usageOf(CALLER_NAME)).toEqual(byId);
      expect((await usageOf('someone-else')).totals.upstream_calls).toBe(0);
      await page.fill('#filter-caller', 'someone-else');
      await page.click('#trace-filter button[type="submit"]');
      await page.waitForSelector('text=No verification matches these filters.');

      await page.click('#trace-clear');
      await rowsBecome(page, all);
      await page.fill('#filter-from', '2001-01-01');
      await page.fill('#filter-to', '2001-01-31');
      await page.click('#trace-filter button[type="submit"]');
      await page.waitForSelector('text=No verification matches these filters.');
      await page.click('#trace-clear');
      await rowsBecome(page, all);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('answers a bad filter with a 400 naming it, before reading the ledger', async () => {
    for (const [query, field] of [
      ['status=paid', 'status'],
      ['page=0', 'page'],
      ['from=2026-02-30', 'from'],
      ['trace_id_prefix=a%20b', 'trace_id_prefix'],
      ['caller=%00', 'caller'],
    ]) {
      const answer = await fetch(
        `${harness.url}/board/verifications?${query}`,
        { headers: { authorization: `Bearer ${OPERATOR_KEY}` } },
      );
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain(field);
    }
  });

  it('finds the call that may have been billed by the trace_id its caller got (AceData sent none: the request’s own id)', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      expect(lostCallTraceId).toMatch(/^[\w.-]{8,64}$/);

      await page.fill('#trace-id', lostCallTraceId);
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 1);
      const row = page.locator('#recent-rows tr[data-request-id]');
      expect(await row.getAttribute('data-request-id')).toBe(lostCallTraceId);
      expect(await row.getAttribute('data-trace-id')).toBe('');
      expect(await row.locator('td[data-label="Billed"]').textContent()).toBe(
        'may have',
      );
      expect(await row.locator('td[data-label="trace_id"]').textContent()).toBe(
        lostCallTraceId,
      );
      // Its start is enough too.
      await page.fill('#trace-id', lostCallTraceId.slice(0, 8));
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('filters the latest verifications by trace_id, for support', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      const traces = await traceIds(page);
      // A cache hit carries the trace_id of the answer it repeats: take one
      // that only one verification has.
      const wanted = traces.find(
        (t) => t && traces.indexOf(t) === traces.lastIndexOf(t),
      );
      if (!wanted) throw new Error(`no trace_id of its own in ${traces}`);

      // The start of it is enough.
      await page.fill('#trace-id', wanted.slice(0, 13));
      await page.click('#trace-filter button[type="submit"]');
      await rowsBecome(page, 1);
      const shown = page.locator('#recent-rows tr[data-trace-id]');
      expect(await shown.count()).toBe(1);
      expect(await shown.getAttribute('data-trace-id')).toBe(wanted);

      await page.fill('#trace-id', 'no-such-trace-id');
      await page.click('#trace-filter button[type="submit"]');
      await page.waitForSelector('text=No verification matches these filters.');

      await page.click('#trace-clear');
      await rowsBecome(page, traces.length);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('downloads the reconciliation as CSV with the totals of /usage', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      const from = await page.inputValue('#range-from');
      const to = await page.inputValue('#range-to');
      const usage = await operator<{ totals: Record<string, number> }>(
        harness,
        `/usage?from=${from}&to=${to}`,
      );
      expect(await metric(page, 'range-billed')).toBe(
        String(usage.totals.billed),
      );

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#csv-download'),
      ]);
      expect(download.suggestedFilename()).toBe(`usage-${from}-${to}.csv`);
      const csv = readFileSync((await download.path()) ?? '', 'utf8');
      const t = usage.totals;
      expect(csv.trim().split('\n').at(-1)).toBe(
        `total,${t.upstream_calls},${t.billed},${t.may_have_billed},${t.cache_hits},${t.shared},${t.budget_refused},${t.rejected}`,
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('refuses a caller key: the board stays shut and its data endpoints answer 403', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openBoard(context, harness);
      await signIn(page, KEY_A);
      await page.waitForSelector('#sign-in-error:not([hidden])');
      expect(await page.textContent('#sign-in-error')).toContain(
        'not an operator key',
      );
      expect(await page.isHidden('#board')).toBe(true);
      expect(await inPage(page, 'sessionStorage.length')).toBe(0);
      expect(await metric(page, 'billed-today')).toBe('0');
      for (const path of [
        '/board/summary',
        '/board/verifications',
        '/usage?from=2026-01-01&to=2026-01-02',
      ]) {
        const refused = await fetch(`${harness.url}${path}`, {
          headers: { authorization: `Bearer ${KEY_A}` },
        });
        expect(refused.status).toBe(403);
      }
      expect((await fetch(`${harness.url}/board/summary`)).status).toBe(401);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('the board without a budget, refreshing by itself', () => {
  let harness: Harness;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startHarness();
    await verify(harness, '13800000000');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('says "no daily budget set" instead of a gauge, and every 30 s reloads, with a newer "as of"', async () => {
    const context = await browser.newContext();
    try {
      // The page's clock is the test's: 30 s pass when the test says so.
      await context.clock.install();
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.isVisible('#no-budget')).toBe(true);
      expect(await page.textContent('#no-budget')).toContain(
        'No daily budget set',
      );
      expect(await page.isHidden('#gauge')).toBe(true);
      expect(await metric(page, 'billed-today')).toBe('1');
      await rowsBecome(page, 1);
      const before = await page.getAttribute('#as-of', 'data-as-of');

      await verify(harness, '13800000001');
      await page.clock.runFor(30_000);
      await rowsBecome(page, 2);
      for (let waited = 0; waited < 10_000; waited += 50) {
        if ((await page.getAttribute('#as-of', 'data-as-of')) !== before) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const after = await page.getAttribute('#as-of', 'data-as-of');
      expect(
        Date.parse(after ?? '') - Date.parse(before ?? ''),
      ).toBeGreaterThanOrEqual(30_000);
      expect(await metric(page, 'billed-today')).toBe('2');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('pages through the verifications, 50 at a time', async () => {
    // 53 more, each its own identity: 55 in all.
    await Promise.all(
      Array.from({ length: 53 }, (_, i) =>
        verify(harness, `159${String(12340000 + i).padStart(8, '0')}`),
      ),
    );
    const context = await browser.newContext();
    try {
      const { page, errors } = await openBoard(context, harness);
      await signIn(page, OPERATOR_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      await rowsBecome(page, 50);
      const first = await traceIds(page);
      expect(await page.isDisabled('#page-previous')).toBe(true);
      await page.click('#page-next');
      await rowsBecome(page, 5);
      expect(await page.getAttribute('#page-number', 'data-page')).toBe('2');
      expect(await page.isDisabled('#page-next')).toBe(true);
      const second = await traceIds(page);
      expect(second.filter((t) => t && first.includes(t))).toEqual([]);
      await page.click('#page-previous');
      await rowsBecome(page, 50);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
