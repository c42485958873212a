import { Logger, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import * as fc from 'fast-check';
import { Redis } from 'ioredis';
import {
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/postgres-database.js';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import { chinaDay } from '../china-time.js';
import {
  PHONE_VERIFICATION_LEDGER,
  PhoneVerificationError,
  PhoneVerificationModule,
  PhoneVerificationService,
  type UsageLedger,
} from '../index.js';
import { ScriptedUpstream } from '../testing/scripted-upstream.js';
import { idCardCheckCharacter } from '../validation/id-card.js';
import { LEDGER_TABLE } from '../ledger/ledger.migrations.js';

const TOKEN = 'hostile-upstream-token-5e1f';
const SECRET = 'a-secret-of-at-least-32-characters-for-all';

/** The n-th of many distinct, valid identities. */
function person(n: number) {
  const first17 = `44030419850615${String(n % 1000).padStart(3, '0')}`;
  return {
    name: '欧阳娜娜',
    phone: `159${String(n).padStart(8, '0')}`,
    idCard: first17 + idCardCheckCharacter(first17),
  };
}

/** Every log line, at every level. */
class Collector implements LoggerService {
  readonly lines: string[] = [];
  private keep(...parts: unknown[]) {
    this.lines.push(parts.map((p) => JSON.stringify(p) ?? '').join(' '));
  }
  log = (...p: unknown[]) => this.keep(...p);
  error = (...p: unknown[]) => this.keep(...p);
  warn = (...p: unknown[]) => this.keep(...p);
  debug = (...p: unknown[]) => this.keep(...p);
  verbose = (...p: unknown[]) => this.keep(...p);
}

type Who = ReturnType<typeof person>;

/** What a hostile upstream may put in one field, given who was asked about. */
const hostileText = (who: Who) =>
  fc.oneof(
    fc.constantFrom(
      who.name,
      who.phone,
      who.idCard,
      who.idCard.slice(0, 14),
      `${who.name}:${who.phone}:${who.idCard}`,
      TOKEN,
      `trace-${who.phone}`,
      't\u0000x',
      '\u001b[31mred\u0007',
      '\ud800lone',
      '',
    ),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.nat({ max: 5_000 }).map((n) => 'x'.repeat(n + 3000)),
  );

const hostileCode = fc.oneof(
  fc.constantFrom('0', '1', '-4', '-6', ' 0 ', '00', '9999999', 'NaN', null),
  fc.integer({ min: -10, max: 10 }),
  fc.constantFrom(3_000_000_000, -2_147_483_649, 1e21, 0.5, -0),
);

/** One hostile answer: a 200 body or an error, with headers, echoing what it likes. */
const hostileAnswer = (who: Who) =>
  fc.record({
    status: fc.constantFrom(200, 200, 200, 400, 403, 429, 500, 503, 504),
    result: hostileCode,
    description: hostileText(who),
    isp: hostileText(who),
    detail: hostileText(who),
    traceId: hostileText(who),
    header: fc.constantFrom(
      undefined,
      who.phone,
      `id-${who.idCard}`,
      'a'.repeat(4000),
      'plain-trace-1',
    ),
    errorCode: fc.constantFrom('api_error', 'used_up', who.phone, 'x'),
  });

describe('hostile upstream answers against the real stack (Redis, the ledger, the logs)', () => {
  let upstream: ScriptedUpstream;
  let redis: TestRedis;
  let db: TestDatabase;
  let probe: Redis;
  let moduleRef: TestingModule;
  let service: PhoneVerificationService;
  let ledger: UsageLedger;
  const logs = new Collector();

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    redis = await startTestRedis();
    db = await createTestDatabase();
    probe = new Redis(redis.url);
    Logger.overrideLogger(logs);
    moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: TOKEN,
          baseUrl: upstream.url,
          timeoutMs: 2_000,
          retry: { maxAttempts: 2, baseDelayMs: 1 },
          circuitBreaker: false,
          cache: { ttlMs: 60_000, secret: SECRET },
          redis: { url: redis.url, secret: SECRET, namespace: 'hostile' },
          budget: { maxBilledPerDay: 100_000 },
          ledger: { store: { postgres: { url: db.url } }, secret: SECRET },
        }),
      ],
    }).compile();
    moduleRef.useLogger(logs);
    await moduleRef.init();
    service = moduleRef.get(PhoneVerificationService);
    ledger = moduleRef.get(PHONE_VERIFICATION_LEDGER);
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    Logger.overrideLogger(new Logger());
    await probe?.quit();
    await redis?.close();
    await db?.drop();
    await upstream?.close();
  });

  it('answers every one with a result or a typed error, keeps the ledger taking rows, and lets no identity reach Redis, the ledger, a log line or a result', async () => {
    let n = 0;
    const seen: Who[] = [];
    const outputs: string[] = [];
    const untyped: unknown[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }).chain((seed) => {
          const who = person(n * 7 + (seed % 7));
          return fc.tuple(fc.constant(who), hostileAnswer(who));
        }),
        async ([who, a]) => {
          n += 1;
          seen.push(who);
          upstream.respond(
            a.status === 200
              ? {
                  status: 200,
                  body: {
                    result: a.result,
                    description: a.description,
                    isp: a.isp,
                    result_detail: a.detail,
                    trace_id: a.traceId,
                  },
                  headers: a.header ? { 'x-trace-id': a.header } : undefined,
                }
              : {
                  status: a.status,
                  body: {
                    error: { code: a.errorCode, message: a.description },
                    trace_id: a.traceId,
                  },
                  headers: a.header ? { 'x-trace-id': a.header } : undefined,
                },
          );
          const outcome = await service.verify(who).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          if ('error' in outcome) {
            const error = outcome.error as Error;
            if (!(error instanceof PhoneVerificationError)) untyped.push(error);
            outputs.push(
              JSON.stringify(error),
              error.message,
              error.stack ?? '',
            );
          } else {
            outputs.push(JSON.stringify(outcome.result));
          }
          // The call after any single answer is answered, and on record.
          expect(ledger.storeAvailable()).toBe(true);
          expect(ledger.backlog()).toBe(0);
        },
      ),
      { numRuns: 60 },
    );

    expect(untyped).toEqual([]);
    upstream.respond({
      status: 200,
      body: {
        result: '0',
        description: 'ok',
        isp: 'Mobile',
        result_detail: null,
      },
    });
    const after = person(999_999);
    expect(await service.verify(after)).toMatchObject({ code: 0 });

    const day = chinaDay(Date.now());
    const { totals } = await ledger.usage({ from: day, to: day });
    expect(totals.upstreamCalls).toBeGreaterThanOrEqual(61);

    // Everything that was written: Redis, every ledger table, every log line.
    const keys = await probe.keys('*');
    const values = await Promise.all(
      keys.map(async (k) =>
        (await probe.type(k)) === 'string'
          ? ((await probe.get(k)) ?? '')
          : JSON.stringify(await probe.hgetall(k).catch(() => ({}))),
      ),
    );
    const rows = await db.query(`SELECT * FROM ${LEDGER_TABLE}`);
    const written = [
      ...keys,
      ...values,
      JSON.stringify(rows),
      ...logs.lines,
      ...outputs,
    ].join('\n');
    expect(keys.length).toBeGreaterThan(0);
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const who of [...seen, after]) {
      for (const raw of [who.phone, who.idCard, who.idCard.slice(0, 14)]) {
        const at = written.indexOf(raw);
        expect(at < 0 ? '' : written.slice(at - 300, at + 100)).toBe('');
      }
    }
    expect(written).not.toContain(seen[0].name);
    expect(written).not.toContain(TOKEN);
    // Bounded: no value upstream sent is kept whole past a few hundred characters.
    expect(Math.max(...values.map((v) => v.length))).toBeLessThan(4_000);
  }, 120_000);
});
