// npm run bench:batch [-- --smoke]: the batch verifier's throughput at a set
// concurrency against the sandbox at 0 and 100 ms, its wall time at --rate
// against the ideal rows / rate, and its peak RSS on large files.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNodeProcess, statusField } from './processes.js';

const smoke = process.argv.includes('--smoke');
const DIST = resolve('dist');
const SANDBOX = `${DIST}/apps/acedata-sandbox/src/main.js`;
const BATCH = `${DIST}/apps/batch-verifier/src/main.js`;
const ID_CARD = '11010519491231002X';
const dir = mkdtempSync(join(tmpdir(), 'bench-batch-'));

/** A CSV of `rows` distinct identities (distinct names; the sandbox answers 0). */
function peopleFile(rows: number): string {
  const path = join(dir, `people-${rows}.csv`);
  const lines = ['name,phone,id_card'];
  for (let i = 0; i < rows; i++) {
    const name = `测试${String.fromCharCode(0x4e00 + (i % 20_000))}${String.fromCharCode(0x4e00 + Math.floor(i / 20_000))}`;
    lines.push(`${name},13800000000,${ID_CARD}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

interface BatchRun {
  wallS: number;
  /** The runner's own elapsed time, from its summary. */
  elapsedS: number;
  peakRssMb: number;
}

function runBatch(
  args: string[],
  env: Record<string, string>,
): Promise<BatchRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [BATCH, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  let peak = 0;
  const poll = setInterval(() => {
    const hwm = statusField(child.pid ?? 0, 'VmHWM');
    if (hwm > peak) peak = hwm;
  }, 50);
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  return new Promise((done, fail) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return fail(new Error(`batch exited ${code}`));
      const elapsed = /\| elapsed\s+\| ([\d.]+) s \|/.exec(stdout);
      done({
        wallS: (performance.now() - started) / 1000,
        elapsedS: elapsed ? Number(elapsed[1]) : Number.NaN,
        peakRssMb: peak,
      });
    }),
  );
}

const say = (line = '') => process.stdout.write(`${line}\n`);
say(
  `# Batch verifier benchmark ${new Date().toISOString()}${smoke ? ' (smoke)' : ''}`,
);
say();
say(
  '| run | rows | setting | runner time s | rows/s | ideal | of ideal | peak RSS MB |',
);
say('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');

const throughput = smoke
  ? [{ latencyMs: 0, rows: 500 }]
  : [
      { latencyMs: 0, rows: 10_000 },
      { latencyMs: 100, rows: 3_000 },
    ];
for (const { latencyMs, rows } of throughput) {
  const sandbox = await startNodeProcess(SANDBOX, {
    env: {
      SANDBOX_PORT: '0',
      SANDBOX_LATENCY_MS: String(latencyMs),
    },
  });
  try {
    const run = await runBatch(
      [
        peopleFile(rows),
        '--out',
        join(dir, `out-${latencyMs}.csv`),
        '--concurrency',
        '32',
      ],
      { ACEDATA_API_TOKEN: 'sandbox-token', ACEDATA_BASE_URL: sandbox.url },
    );
    const perSecond = rows / run.elapsedS;
    const ideal = latencyMs > 0 ? 32 / (latencyMs / 1000) : undefined;
    say(
      `| concurrency 32, sandbox ${latencyMs} ms | ${rows} | --concurrency 32 | ${run.elapsedS.toFixed(1)} | ${Math.round(perSecond)} | ` +
        `${ideal ? `${ideal} rows/s` : '-'} | ${ideal ? (perSecond / ideal).toFixed(2) : '-'} | ${Math.round(run.peakRssMb)} |`,
    );
  } finally {
    await sandbox.stop();
  }
}

{
  const rate = smoke ? 20 : 50;
  const rows = smoke ? 40 : 500;
  const sandbox = await startNodeProcess(SANDBOX, {
    env: {
      SANDBOX_PORT: '0',
      SANDBOX_LATENCY_MS: '0',
    },
  });
  try {
    const run = await runBatch(
      [
        peopleFile(rows),
        '--out',
        join(dir, 'out-rate.csv'),
        '--rate',
        String(rate),
        '--concurrency',
        '32',
      ],
      { ACEDATA_API_TOKEN: 'sandbox-token', ACEDATA_BASE_URL: sandbox.url },
    );
    const ideal = rows / rate;
    say(
      `| --rate ${rate} | ${rows} | --rate ${rate} | ${run.elapsedS.toFixed(2)} | ${(rows / run.elapsedS).toFixed(1)} | ${ideal.toFixed(2)} s | ${(ideal / run.elapsedS).toFixed(3)} | ${Math.round(run.peakRssMb)} |`,
    );
  } finally {
    await sandbox.stop();
  }
}

{
  const rows = smoke ? 20_000 : 1_000_000;
  const run = await runBatch(
    [peopleFile(rows), '--out', join(dir, 'out-dry.csv'), '--dry-run'],
    {},
  );
  say(
    `| --dry-run (read, validate, dedupe; no calls) | ${rows} | - | ${run.elapsedS.toFixed(1)} | ${Math.round(rows / run.elapsedS)} | - | - | ${Math.round(run.peakRssMb)} |`,
  );
}

rmSync(dir, { recursive: true, force: true });
