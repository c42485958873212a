import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  BudgetExhaustedError,
  PHONE_VERIFICATION_LEDGER,
  PhoneVerificationModule,
  PhoneVerificationService,
  type LedgerOptions,
  type UsageLedger,
} from '@app/phone-verification';
import { UpstreamTimeoutError } from '@app/phone-verification/errors';
import {
  TEST_ID_CARD,
  TEST_NAME,
  rejectionOf,
  startSandbox,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/postgres-database.js';

const SECRET = 'ledger-e2e-secret-of-32-characters-or-more';
const person = (phone: string) => ({
  name: TEST_NAME,
  phone,
  idCard: TEST_ID_CARD,
});

interface Store {
  readonly name: string;
  options(): Promise<LedgerOptions['store']>;
  close(): Promise<void>;
}

const STORES: (() => Store)[] = [
  () => {
    let db: TestDatabase | undefined;
    return {
      name: 'PostgreSQL',
      async options() {
        db = await createTestDatabase();
        return { postgres: { url: db.url } };
      },
      close: async () => db?.drop(),
    };
  },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
    return {
      name: 'PGlite',
      options: async () => ({ pglite: { dataDir: dir } }),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
];

describe.each(STORES.map((make) => [make().name, make] as const))(
  'the usage ledger on %s, behind verify() against the sandbox',
  (_name, make) => {
    let store: Store;
    let sandbox: RunningSandbox;
    let moduleRef: TestingModule;
    let service: PhoneVerificationService;
    let ledger: UsageLedger;

    beforeAll(async () => {
      store = make();
      sandbox = await startSandbox({ latencyMs: 50 });
      moduleRef = await Test.createTestingModule({
        imports: [
          PhoneVerificationModule.forRoot({
            apiToken: sandbox.token,
            baseUrl: sandbox.url,
            timeoutMs: 400,
            retry: { baseDelayMs: 10, maxDelayMs: 20 },
            circuitBreaker: false,
            cache: { ttlMs: 60_000, secret: SECRET },
            budget: { maxBilledPerDay: 4 },
            ledger: { store: await store.options(), secret: SECRET },
          }),
        ],
      }).compile();
      await moduleRef.init();
      service = moduleRef.get(PhoneVerificationService);
      ledger = moduleRef.get(PHONE_VERIFICATION_LEDGER);
    }, 30_000);

    afterAll(async () => {
      await moduleRef.close();
      await sandbox.close();
      await store.close();
    });

    it('has on record, per China day, exactly what the upstream counted, and what cost nothing', async () => {
      const a = { caller: 'tenant-a' };
      // Billed, then the same identity from the cache.
      await service.verify(person('13800000000'), a);
      expect((await service.verify(person('13800000000'), a)).fromCache).toBe(
        true,
      );
      // Two at once: one call, one shared answer.
      const [leader, waiter] = await Promise.all([
        service.verify(person('13800000001'), { caller: 'tenant-b' }),
        service.verify(person('13800000001'), { caller: 'tenant-b' }),
      ]);
      expect([leader.shared, waiter.shared].filter(Boolean)).toHaveLength(1);
      // A 500, retried: two calls, billed once.
      await service.verify(person('13600001500'), a);
      // No record: not billed.
      await service.verify(person('13800000002'), a);
      // A timeout after sending: may have been billed.
      expect(
        await rejectionOf(service.verify(person('13600000002'), a)),
      ).toBeInstanceOf(UpstreamTimeoutError);
      // The budget (4) is spent: refused before anything is sent.
      expect(
        await rejectionOf(service.verify(person('13800000009'), a)),
      ).toBeInstanceOf(BudgetExhaustedError);

      const upstream = sandbox.calls();
      const { days, totals } = await ledger.usage({
        from: '2000-01-01',
        to: '2100-01-01',
      });

      expect(totals).toEqual({
        upstreamCalls: upstream.total,
        billed: upstream.billed,
        mayHaveBilled: 1,
        cacheHits: 1,
        shared: 1,
        budgetRefused: 1,
        rejected: 0,
      });
      expect(upstream).toMatchObject({ total: 6, billed: 3 });
      expect(days).toHaveLength(1);
      const byCaller = await ledger.usage({
        from: days[0].day,
        to: days[0].day,
        groupBy: 'caller',
      });
      expect(
        Object.fromEntries(
          byCaller.days.map((d) => [d.caller, [d.upstreamCalls, d.shared]]),
        ),
      ).toEqual({ 'tenant-a': [5, 0], 'tenant-b': [1, 1] });
      // Forgetting the test person erases them from every row: all were theirs.
      expect(
        await ledger.forget({
          name: TEST_NAME,
          phone: '13800000000',
          idCard: TEST_ID_CARD,
        }),
      ).toBe(2);
    });
  },
);

describe("a result code's meaning overridden in config, as reconciliation shows it (PostgreSQL)", () => {
  let sandbox: RunningSandbox;
  let db: TestDatabase;

  beforeAll(async () => {
    sandbox = await startSandbox();
    db = await createTestDatabase();
  }, 30_000);

  afterAll(async () => {
    await sandbox.close();
    await db.drop();
  });

  async function replica(resultCodes?: Record<string, object>) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          cache: { ttlMs: 60_000, secret: SECRET },
          budget: { maxBilledPerDay: 1 },
          ledger: { store: { postgres: { url: db.url } }, secret: SECRET },
          resultCodes,
        }),
      ],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  it("counts -4 as may-have-billed by default, bills, caches and budgets it as Tencent's 'inconsistent' when overridden, and the report shows both tables' answers", async () => {
    // The sandbox answers -4 for this phone, as AceData's guide documents it.
    const nameCheckFailed = person('13800000005');
    const documented = await replica();
    const guide = documented.get(PhoneVerificationService);
    const first = await guide.verify(nameCheckFailed);
    // Unsettled by default: money-safe, so it keeps its budget unit (1 a
    // day) and is not cached.
    expect(first).toMatchObject({
      code: -4,
      status: 'name_invalid',
      billable: 'maybe',
      charged: 'maybe',
      fromCache: false,
    });
    expect(await rejectionOf(guide.verify(nameCheckFailed))).toBeInstanceOf(
      BudgetExhaustedError,
    );
    await documented.close();

    const overridden = await replica({
      '-4': { status: 'inconsistent', billed: true, cache: 'ttl' },
    });
    const service = overridden.get(PhoneVerificationService);
    expect(await service.verify(nameCheckFailed)).toMatchObject({
      code: -4,
      status: 'inconsistent',
      billable: true,
      charged: true,
      fromCache: false,
    });
    // Billed, so cached for the TTL like a 1.
    expect((await service.verify(nameCheckFailed)).fromCache).toBe(true);
    // And counted by the budget (1 a day): the next billable call is refused.
    expect(
      await rejectionOf(service.verify(person('13800000000'))),
    ).toBeInstanceOf(BudgetExhaustedError);
    expect(sandbox.calls().total).toBe(2);

    const ledger: UsageLedger = overridden.get(PHONE_VERIFICATION_LEDGER);
    const report = await ledger.usage({ from: '2000-01-01', to: '2100-01-01' });
    expect(report.codes).toEqual([
      { code: -4, status: 'inconsistent', answers: 1, billed: 1 },
      { code: -4, status: 'name_invalid', answers: 1, billed: 0 },
    ]);
    expect(report.totals).toMatchObject({
      upstreamCalls: 2,
      billed: 1,
      mayHaveBilled: 1,
      cacheHits: 1,
      budgetRefused: 2,
    });
    await overridden.close();
  });
});
