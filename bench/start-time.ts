// How long the README's `npm start` takes to answer GET /health: the first
// start (no build, no compile cache, a new embedded ledger) and a later one
// (all three kept), against the tsc build it replaced (`nest start -b tsc`,
// as `npm start` ran before), side by side, the order rotated each round.
//
// It deletes dist/ (as `nest start` does), so it never runs beside the tests.
// npm run build && node dist/bench/bench/start-time.js [--rounds N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countAfter } from './flags.js';

interface Contender {
  name: string;
  command: string;
  args: string[];
  /** What a clean clone does not have. */
  caches: string[];
}

const CONTENDERS: Contender[] = [
  {
    name: '`nest start -b tsc` (before)',
    command: 'npx',
    args: ['nest', 'start', 'sample-app', '-b', 'tsc'],
    caches: [],
  },
  {
    name: '`npm start` (SWC, compile cache)',
    command: 'npm',
    args: ['start'],
    caches: ['node_modules/.cache/node-compile-cache'],
  },
];

const ROUNDS = countAfter('--rounds') ?? 3;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}

/** Seconds from the command's start until GET /health answers 200. */
async function timeToHealth(
  contender: Contender,
  ledgerDir: string,
): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(contender.command, contender.args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SAMPLE_APP_LEDGER_DIR: ledgerDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) return (performance.now() - started) / 1000;
      if (performance.now() - started > 120_000) {
        throw new Error(`${contender.name} did not answer in 120 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    // npm, the Nest CLI and the app: the whole group.
    process.kill(-(child.pid ?? 0), 'SIGTERM');
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const first = new Map<string, number[]>();
const later = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? CONTENDERS : CONTENDERS.toReversed();
  for (const contender of order) {
    const ledgerDir = mkdtempSync(join(tmpdir(), 'start-time-ledger-'));
    rmSync(ledgerDir, { recursive: true });
    rmSync('dist/apps', { recursive: true, force: true });
    for (const cache of contender.caches) {
      rmSync(cache, { recursive: true, force: true });
    }
    first.set(contender.name, [
      ...(first.get(contender.name) ?? []),
      await timeToHealth(contender, ledgerDir),
    ]);
    later.set(contender.name, [
      ...(later.get(contender.name) ?? []),
      await timeToHealth(contender, ledgerDir),
    ]);
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

const before = CONTENDERS[0].name;
const lines = [
  `| ${process.version}, ${ROUNDS} rounds | first start (s) | later start (s) | first × before | later × before |`,
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const { name } of CONTENDERS) {
  const f = median(first.get(name) ?? []);
  const l = median(later.get(name) ?? []);
  const f0 = median(first.get(before) ?? []);
  const l0 = median(later.get(before) ?? []);
  lines.push(
    `| ${name} | ${f.toFixed(1)} | ${l.toFixed(1)} | ${(f / f0).toFixed(2)} | ${(l / l0).toFixed(2)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
