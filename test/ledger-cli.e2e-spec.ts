import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  PHONE_VERIFICATION_LEDGER,
  PhoneVerificationModule,
  PhoneVerificationService,
  openUsageLedger,
  type UsageLedger,
} from '@app/phone-verification';
import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
  type RunningSandbox,
} from '@app/phone-verification/testing';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/postgres-database.js';

const LEDGER_CLI = resolve('dist/apps/sample-app/src/ledger-cli.js');
const SECRET = 'ledger-cli-e2e-secret-of-32-characters-or-more';
const person = (phone: string) => ({
  name: TEST_NAME,
  phone,
  idCard: TEST_ID_CARD,
});

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run ledger -- …`, as finance runs it, with exactly this environment. */
function ledgerCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<CliRun> {
  const child = spawn(process.execPath, [LEDGER_CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((done) =>
    child.once('close', (code) => done({ code, stdout, stderr })),
  );
}

describe('the ledger CLI (npm run ledger) on the PostgreSQL ledger the app writes', () => {
  let sandbox: RunningSandbox;
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let ledger: UsageLedger;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sandbox = await startSandbox();
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, PHONE_VERIFICATION_LEDGER_SECRET: SECRET };
    moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: sandbox.token,
          baseUrl: sandbox.url,
          cache: { ttlMs: 60_000, secret: SECRET },
          ledger: { store: { postgres: { url: db.url } }, secret: SECRET },
        }),
      ],
    }).compile();
    await moduleRef.init();
    const service = moduleRef.get(PhoneVerificationService);
    ledger = moduleRef.get(PHONE_VERIFICATION_LEDGER);
    await service.verify(person('13800000000'), { caller: 'tenant-a' });
    await service.verify(person('13800000000'), { caller: 'tenant-a' });
    await service.verify(person('13800000001'), { caller: 'tenant-b' });
    await service.verify(person('13800000002'), { caller: 'tenant-b' });
  }, 30_000);

  afterAll(async () => {
    await moduleRef.close();
    await sandbox.close();
    await db.drop();
  });

  it('reports per China day as JSON (GET /usage), CSV and a table, with what the upstream counted', async () => {
    const range = ['--from', '2000-01-01', '--to', '2100-01-01'];
    const json = await ledgerCli(['report', ...range, '--json'], env);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(json.stdout);
    const upstream = sandbox.calls();
    expect(answer.totals).toEqual({
      upstream_calls: upstream.total,
      billed: upstream.billed,
      may_have_billed: 0,
      cache_hits: 1,
      shared: 0,
      budget_refused: 0,
      rejected: 0,
    });
    expect(answer.by_code.map((c: { code: number }) => c.code)).toEqual([
      -1, 0, 1,
    ]);

    const csv = await ledgerCli(['report', ...range, '--csv'], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'day,upstream_calls,billed,may_have_billed,cache_hits,shared,budget_refused,rejected',
    );
    expect(lines).toHaveLength(answer.days.length + 2);
    expect(lines.at(-1)).toBe(
      `total,${upstream.total},${upstream.billed},0,1,0,0,0`,
    );
    expect(lines[1]).toBe(
      [answer.days[0].day, ...Object.values(answer.totals)].join(','),
    );

    const oneCaller = await ledgerCli(
      ['report', ...range, '--caller', 'tenant-b', '--json'],
      env,
    );
    expect(JSON.parse(oneCaller.stdout).totals.upstream_calls).toBe(2);

    const table = await ledgerCli(['report', ...range], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^total\s+3\s+2\s+0\s+1\s+0\s+0\s+0$/m);
    expect(table.stdout).toMatch(/^-1\s+no_record\s+1\s+0$/m);
  });

  it('forgets one person read from standard input, and prints none of it', async () => {
    const input = JSON.stringify({
      name: TEST_NAME,
      phone: '138 0000 0000',
      id_card: TEST_ID_CARD.toLowerCase(),
    });
    const run = await ledgerCli(['forget'], env, input);
    expect(run).toEqual({ code: 0, stdout: '{"deleted":2}\n', stderr: '' });
    // Erased from the ledger the app reads, and only that person; the money
    // facts of their calls stay counted.
    const left = await ledger.usage({ from: '2000-01-01', to: '2100-01-01' });
    expect(left.totals).toMatchObject({ upstreamCalls: 3, cacheHits: 1 });
    const rows = await ledger.recent({ limit: 10 });
    expect(rows.filter((r) => r.maskedPhone === undefined)).toHaveLength(2);
    expect(rows.map((r) => r.maskedPhone)).not.toContain('138****0000');
    expect((await ledgerCli(['forget'], env, input)).stdout).toBe(
      '{"deleted":0}\n',
    );
  });

  it.each([
    [
      'a wrong phone and ID',
      JSON.stringify({ name: TEST_NAME, phone: '12345', id_card: '110105X' }),
      /phone must be .*; id_card must be/,
    ],
    ['no JSON', `${TEST_NAME} 13800000000`, /must be one JSON object/],
    ['a JSON array', '[]', /must be one JSON object/],
  ])(
    'refuses %s (exit 2) naming the problem, never the values',
    async (_label, input, problem) => {
      const run = await ledgerCli(['forget'], env, input);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(problem);
      for (const raw of [TEST_NAME, '12345', '110105X', '13800000000']) {
        expect(run.stderr + run.stdout).not.toContain(raw);
      }
    },
  );

  it.each([
    [['report', '--to', '2026-12-01'], /required option '--from <day>'/],
    [
      ['report', '--from', '2026-12-31', '--to', '2026-12-01'],
      /to must not be before from/,
    ],
    [
      ['report', '--from', '2026-1-1', '--to', '2026-12-01'],
      /from must be a day/,
    ],
    // A day that is not on the calendar: refused before the store is read.
    [
      ['report', '--from', '2026-02-30', '--to', '2026-03-01'],
      /from must be a day on the calendar/,
    ],
    [
      ['report', '--from', '0000-01-01', '--to', '2026-03-01'],
      /from must be a day on the calendar/,
    ],
    [
      [
        'report',
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-01',
        '--csv',
        '--json',
      ],
      /choose one/,
    ],
    [['refund'], /unknown command 'refund'/],
  ])('refuses %j with exit 2 and says why', async (args, problem) => {
    const run = await ledgerCli(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(problem);
  });

  it('exits 3 when the store cannot be read, without the URL’s password', async () => {
    const run = await ledgerCli(
      ['report', '--from', '2026-12-01', '--to', '2026-12-01'],
      {
        ...env,
        DATABASE_URL: 'postgres://finance:hunter2-password@127.0.0.1:1/ledger',
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /could not be read \(PostgreSQL at DATABASE_URL\)/,
    );
    expect(run.stderr).not.toContain('hunter2');
  });
});

describe('the ledger CLI on the embedded store', () => {
  it('exits 3 naming the process that holds the folder (the running app), and reads it once that has closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
    const env = {
      SAMPLE_APP_LEDGER_DIR: dir,
      PHONE_VERIFICATION_LEDGER_SECRET: SECRET,
    };
    const held = await openUsageLedger({
      store: { pglite: { dataDir: dir } },
      secret: SECRET,
    });
    try {
      const report = ['report', '--from', '2026-12-01', '--to', '2026-12-01'];
      const refused = await ledgerCli(report, env);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`in use by process ${process.pid}`);
      expect(refused.stderr).toContain('GET /usage with an operator key');
      await held.close();
      const read = await ledgerCli([...report, '--csv'], env);
      expect(read).toMatchObject({ code: 0, stderr: '' });
      expect(read.stdout.trim().split('\n').at(-1)).toBe('total,0,0,0,0,0,0,0');
    } finally {
      await held.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
