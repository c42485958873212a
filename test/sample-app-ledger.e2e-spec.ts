import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
} from '@app/phone-verification/testing';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/postgres-database.js';
import {
  ACEDATA_TEST_TOKEN,
  KEY_A,
  METRICS_KEY,
  LEDGER_TEST_SECRET,
  OPERATOR_KEY,
  startHarness,
  startSampleApp,
  type Harness,
} from './support/sample-app-process.js';

const CHECK = '/identity/phone/check-3e';

function call(
  url: string,
  path: string,
  key: string | undefined,
  body?: object,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const identity = (phone: string) => ({
  name: TEST_NAME,
  phone,
  id_card: TEST_ID_CARD,
});

/** A day `days` from today, `YYYY-MM-DD` (UTC: within a day of China's). */
const dayFromNow = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** Today, and a range that surely holds it (the China day may differ from the test's). */
const RANGE = `from=${dayFromNow(-7)}&to=${dayFromNow(7)}`;

describe('the sample app’s usage ledger and its operator endpoints', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  }, 30_000);

  afterAll(() => harness.close());

  it('reports what the sandbox counted, to operator keys only, and forgets one person', async () => {
    const { url, sandbox } = harness;
    expect(
      (await call(url, CHECK, KEY_A, identity('13800000000'))).status,
    ).toBe(200);
    expect(
      (await call(url, CHECK, KEY_A, identity('13800000001'))).status,
    ).toBe(200);
    expect(
      (await call(url, CHECK, KEY_A, identity('13800000002'))).status,
    ).toBe(200);

    const usage = await call(url, `/usage?${RANGE}`, OPERATOR_KEY);
    expect(usage.status).toBe(200);
    const report = (await usage.json()) as {
      days: { day: string }[];
      totals: Record<string, number>;
    };
    const counted = sandbox.calls();
    expect(report.totals).toEqual({
      upstream_calls: counted.total,
      billed: counted.billed,
      may_have_billed: 0,
      cache_hits: 0,
      shared: 0,
      budget_refused: 0,
      rejected: 0,
    });
    expect(counted).toMatchObject({ total: 3, billed: 2 });
    expect(report.days).toHaveLength(1);

    // Each key opens its own routes.
    expect((await call(url, `/usage?${RANGE}`, KEY_A)).status).toBe(403);
    expect((await call(url, `/usage?${RANGE}`, undefined)).status).toBe(401);
    expect(
      (await call(url, CHECK, OPERATOR_KEY, identity('13800000000'))).status,
    ).toBe(403);
    // Bad input names the field.
    const badDay = await call(
      url,
      '/usage?from=2026-13-01&to=2026-12-31',
      OPERATOR_KEY,
    );
    expect(badDay.status).toBe(400);
    expect(await badDay.json()).toMatchObject({ error: { fields: ['from'] } });
    // Not on the calendar, year 0000, a NUL in the caller: 400, not 500.
    for (const [query, field] of [
      ['from=2026-02-30&to=2026-03-01', 'from'],
      ['from=2026-01-01&to=0000-01-01', 'to'],
      ['from=2026-01-01&to=2026-01-02&caller=a%00b', 'caller'],
      // Longer than a year: one report would hold the others up.
      ['from=2024-01-01&to=2025-01-02', 'to'],
      ['from=2000-01-01&to=2999-12-31', 'to'],
    ]) {
      const refused = await call(url, `/usage?${query}`, OPERATOR_KEY);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: { fields: [field] },
      });
    }
    // A leap year and a whole year are fine; the CSV has the same rule.
    for (const query of [
      'from=2024-01-01&to=2024-12-31',
      'from=2025-03-01&to=2026-03-01',
    ]) {
      expect((await call(url, `/usage?${query}`, OPERATOR_KEY)).status).toBe(
        200,
      );
    }
    const wideCsv = await call(
      url,
      '/usage.csv?from=2024-01-01&to=2025-06-01',
      OPERATOR_KEY,
    );
    expect(wideCsv.status).toBe(400);
    expect(await wideCsv.text()).toContain('366 days');
    const badId = await call(url, '/ledger/forget', OPERATOR_KEY, {
      ...identity('13800000000'),
      id_card: '110105194912310021',
    });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({
      error: { fields: ['id_card'] },
    });

    const forget = await call(
      url,
      '/ledger/forget',
      OPERATOR_KEY,
      identity('138 0000 0001'),
    );
    expect(forget.status).toBe(200);
    expect(await forget.json()).toEqual({ deleted: 1 });
    // The person is erased; the money facts of their call stay, as AceData billed them.
    const after = (await (
      await call(url, `/usage?${RANGE}`, OPERATOR_KEY)
    ).json()) as { totals: Record<string, number> };
    expect(after.totals).toEqual(report.totals);
  });
});

describe('a replica killed mid-call', () => {
  it('leaves its row "sent", which after a restart counts as may have billed', async () => {
    const ledgerDir = mkdtempSync(join(tmpdir(), 'ledger-sigkill-'));
    const env = {
      SAMPLE_APP_LEDGER_DIR: ledgerDir,
      PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '1',
    };
    const harness = await startHarness(env);
    try {
      // 13600000002: the sandbox never answers.
      void call(harness.url, CHECK, KEY_A, identity('13600000002')).catch(
        () => undefined,
      );
      const deadline = Date.now() + 10_000;
      while (harness.sandbox.calls().total < 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(harness.sandbox.calls().total).toBe(1);
      harness.app.child.kill('SIGKILL');
      await new Promise((r) => harness.app.child.once('exit', r));

      const restarted = await startSampleApp({
        ACEDATA_API_TOKEN: harness.sandbox.token,
        ACEDATA_BASE_URL: harness.sandbox.url,
        ACEDATA_TIMEOUT_MS: '1500',
        SAMPLE_APP_API_KEYS: KEY_A,
        ...env,
      });
      try {
        // Past the call's whole deadline (one attempt of 1.5 s).
        await new Promise((r) => setTimeout(r, 1_600));
        const report = (await (
          await call(restarted.url, `/usage?${RANGE}`, OPERATOR_KEY)
        ).json()) as { totals: Record<string, number> };
        expect(report.totals).toMatchObject({
          upstream_calls: 1,
          billed: 0,
          may_have_billed: 1,
        });
      } finally {
        await restarted.stop();
      }
    } finally {
      await harness.sandbox.close();
      rmSync(ledgerDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('three replicas and a batch run on one PostgreSQL ledger', () => {
  let db: TestDatabase;
  let work: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'ledger-shared-'));
  });

  afterAll(async () => {
    await db.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('all write to it (migrated once), and its report is what the upstream counted', async () => {
    const sandbox = await startSandbox({ token: ACEDATA_TEST_TOKEN });
    const env = {
      ACEDATA_API_TOKEN: sandbox.token,
      ACEDATA_BASE_URL: sandbox.url,
      SAMPLE_APP_API_KEYS: KEY_A,
      DATABASE_URL: db.url,
    };
    const replicas = await Promise.all(
      [1, 2, 3].map(() => startSampleApp(env)),
    );
    try {
      const phones = ['13800000000', '13800000001', '13800000002'];
      for (const [i, replica] of replicas.entries()) {
        const answer = await call(
          replica.url,
          CHECK,
          KEY_A,
          identity(phones[i]),
        );
        expect(answer.status).toBe(200);
      }
      const input = join(work, 'people.csv');
      writeFileSync(
        input,
        `name,phone,id_card\n${['13900000010', '13900000011']
          .map((phone) => `${TEST_NAME},${phone},${TEST_ID_CARD}`)
          .join('\n')}\n`,
      );
      const exit = await new Promise<number | null>((done) => {
        const child = spawn(
          process.execPath,
          [
            resolve('dist/apps/batch-verifier/src/main.js'),
            input,
            '--out',
            join(work, 'results.csv'),
          ],
          {
            env: {
              PATH: process.env.PATH,
              ...env,
              PHONE_VERIFICATION_LEDGER_SECRET: LEDGER_TEST_SECRET,
            },
            stdio: 'ignore',
          },
        );
        child.on('exit', done);
      });
      expect(exit).toBe(0);

      const report = (await (
        await call(replicas[2].url, `/usage?${RANGE}`, OPERATOR_KEY)
      ).json()) as { totals: Record<string, number> };
      const counted = sandbox.calls();
      expect(counted).toMatchObject({ total: 5, billed: 4 });
      expect(report.totals).toMatchObject({
        upstream_calls: counted.total,
        billed: counted.billed,
      });
      const writers = await db.query<{
        replica: string;
        caller: string | null;
      }>('SELECT DISTINCT replica, caller FROM phone_verification_ledger');
      expect(writers).toHaveLength(4);
      expect(writers.filter((w) => w.caller === 'batch')).toHaveLength(1);
      // Each migration applied once, by one of the four.
      const applied = await db.query<{ version: number; applied_by: string }>(
        'SELECT version, applied_by FROM phone_verification_ledger_migrations ORDER BY version',
      );
      expect(applied.map((m) => Number(m.version))).toEqual([1, 2, 3]);
      expect(new Set(applied.map((m) => m.applied_by)).size).toBe(1);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
      await sandbox.close();
    }
  }, 90_000);
});

describe('the ledger’s PostgreSQL away, behind the sample app', () => {
  it('refuses verifications at once with 503 ledger_unavailable (nothing sent), says so on readiness and in metrics, and serves again when it is back', async () => {
    const db = await createTestDatabase();
    const harness = await startHarness({ DATABASE_URL: db.url });
    const { url, sandbox } = harness;
    const metric = async (name: string) => {
      const text = await (await call(url, '/metrics', METRICS_KEY)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    try {
      expect(
        (await call(url, CHECK, KEY_A, identity('13800000000'))).status,
      ).toBe(200);
      expect(await metric('phone_verification_ledger_store_up')).toBe(1);

      await db.takeDown();
      const sentBefore = sandbox.calls().total;
      for (const phone of ['13800000001', '13800000002', '13800000003']) {
        const refused = await call(url, CHECK, KEY_A, identity(phone));
        expect(refused.status).toBe(503);
        expect(await refused.json()).toMatchObject({
          error: { code: 'ledger_unavailable', may_have_billed: false },
        });
      }
      expect(sandbox.calls().total).toBe(sentBefore);
      const ready = await call(url, '/health/ready', KEY_A);
      expect(ready.status).toBe(503);
      expect(
        ((await ready.json()) as { details: Record<string, unknown> }).details
          .ledger,
      ).toMatchObject({ status: 'down', store: 'away', calls: 'refused' });
      expect(await metric('phone_verification_ledger_store_up')).toBe(0);
      // The operator's endpoints say the store is away: 503, not 500.
      for (const [path, body] of [
        [`/usage?${RANGE}`, undefined],
        ['/ledger/forget', identity('13800000000')],
        ['/board/summary', undefined],
        ['/board/verifications', undefined],
      ] as const) {
        const away = await call(url, path, OPERATOR_KEY, body);
        expect([path, away.status]).toEqual([path, 503]);
      }

      await db.bringBack();
      const deadline = Date.now() + 15_000;
      while (
        (await call(url, '/health/ready', KEY_A)).status !== 200 &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await metric('phone_verification_ledger_store_up')).toBe(1);
      expect(
        (await call(url, CHECK, KEY_A, identity('13800000001'))).status,
      ).toBe(200);
      const report = (await (
        await call(url, `/usage?${RANGE}`, OPERATOR_KEY)
      ).json()) as { totals: Record<string, number> };
      expect(report.totals).toMatchObject({
        upstream_calls: sandbox.calls().total,
        may_have_billed: 0,
      });
    } finally {
      await harness.close();
      await db.bringBack();
      await db.drop();
    }
  }, 60_000);
});
