import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// The benchmarks' smoke mode: a few seconds, asserting only that each
// benchmark runs and prints its table (figures belong in BENCHMARKS.md, from a
// full run, never in assertions).
const run = (script: string): string => {
  const path = `dist/bench/bench/${script}`;
  if (!existsSync(path))
    throw new Error(`${path} is missing: run "npm run build" first`);
  return execFileSync(process.execPath, [path, '--smoke'], {
    encoding: 'utf8',
    timeout: 90_000,
  });
};

describe('benchmarks (smoke mode)', () => {
  it('the side-by-side run prints a row per contender with a ratio to the baseline', () => {
    const output = run('run.js');
    for (const contender of [
      'baseline',
      'naive',
      'sample app (Express)',
      'sample app (Fastify, the default)',
      'sample app + Redis (Fastify)',
      'cache hits',
    ]) {
      expect(output).toMatch(
        new RegExp(
          `\\|[^|]*${contender.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^|]*\\| \\d+ \\| \\d+\\.\\d\\d \\|`,
        ),
      );
    }
    expect(readFileSync('bench/results/smoke.md', 'utf8')).toContain(
      '× baseline',
    );
  }, 100_000);

  it('the tracing benchmark prints tracing off and on with a ratio to off', () => {
    const output = run('tracing.js');
    // req/s, × off, paired, then the CPU per request and its ratio.
    expect(output).toMatch(
      /\| tracing off \| \d+ \| 1\.00 \| 1\.00 \| \d+ \| 1\.00 \|/,
    );
    expect(output).toMatch(/\| tracing on[^|]*\| \d+ \| \d+\.\d\d \|/);
    expect(output).toMatch(/Spans received: [\d.]+ MB/);
  }, 100_000);

  it('a benchmark given a flag without a whole number stops, naming the flag', () => {
    for (const [script, args] of [
      ['tracing.js', ['--rounds', '0']],
      ['ledger-load.js', ['--warmup', '2s']],
      ['start-time.js', ['--rounds']],
    ] as const) {
      const bench = spawnSync(
        process.execPath,
        [`dist/bench/bench/${script}`, ...args],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(bench.status).toBe(1);
      expect(bench.stderr).toContain(`${args[0]} takes a whole number from 1`);
      expect(bench.stdout).toBe('');
    }
  }, 100_000);

  it("the embedded store's upkeep benchmark prints sizes, the log since the last checkpoint, the report's time and the bursts' speed and the transaction ids used, of the three stores", () => {
    const output = run('ledger-upkeep.js');
    for (const store of [
      'vacuumed and checkpointed',
      'vacuumed, never checkpointed',
      'neither',
    ]) {
      expect(output).toMatch(
        new RegExp(
          `\\| ${store}[^|]*(\\| [\\d.]+ ){5}(\\| \\d+ ){3}\\| \\d+\\.\\d\\d \\|`,
        ),
      );
    }
  }, 100_000);

  it('the micro-benchmark prints µs per call for the library', () => {
    expect(run('micro.js')).toMatch(
      /\| verify\(\), transport stubbed[^|]*\| \d+\.\d\d \|/,
    );
  }, 100_000);

  it('the batch benchmark prints throughput, rate and memory rows', () => {
    const output = run('batch.js');
    expect(output).toMatch(
      /\| concurrency 32, sandbox 0 ms \| 500 \|[^|]*\| [\d.]+ \| \d+ \|/,
    );
    expect(output).toMatch(
      /\| --rate 20 \| 40 \|[^|]*\| [\d.]+ \| [\d.]+ \| 2\.00 s \|/,
    );
    expect(output).toMatch(/\| --dry-run[^|]*\| 20000 \|.*\| \d+ \|$/m);
  }, 100_000);

  it('the shared-cache benchmark prints both contenders, hits and calls while Redis is away', () => {
    const output = run('shared-cache.js');
    for (const contender of ['Redis alone (before)', 'in-process LRU']) {
      const escaped = contender.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(output).toMatch(
        new RegExp(`\\| ${escaped}[^|]*\\| [\\d.]+ \\| [\\d.]+ \\|`),
      );
      expect(output).toMatch(
        new RegExp(`\\| ${escaped}[^|]*\\| 1000 \\| \\d+ \\|`),
      );
    }
  }, 100_000);

  it('the shared-store load prints calls and sharing for three replicas', () => {
    expect(run('shared-store-load.js')).toMatch(
      /\| this build \| 150 \| \d+ \| 30 \| \d+ \| \d of 3 \|/,
    );
  }, 100_000);

  it('the ledger benchmark prints each store beside no ledger', () => {
    const output = run('ledger.js');
    for (const store of ['no ledger', 'PGlite', 'PostgreSQL']) {
      expect(output).toMatch(
        new RegExp(
          `\\| ${store}[^|]*\\| \\d+ \\| -?\\d+ \\| \\d+\\.\\d\\d \\| \\d+ \\| -?\\d+ \\| \\d+\\.\\d\\d \\|`,
        ),
      );
    }
  }, 100_000);

  it('the soak prints heap and RSS growth', () => {
    expect(run('soak.js')).toMatch(
      /\| heap used after warm-up → after soak[^|]*\| [\d.]+ → [\d.]+ MB/,
    );
  }, 100_000);
});
