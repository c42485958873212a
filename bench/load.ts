// What the side-by-side benchmarks share: the rounds (`--smoke` is one
// short one), one autocannon measurement of a contender, a scenario run
// side by side with the order rotated, and the median of rounds.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { countAfter } from './flags.js';
import { startNodeProcess, type NodeProcess } from './processes.js';

/**
 * One short round with `--smoke` (the suite's smoke test), else three of 5 s
 * after 2 s of warm-up, or as many rounds and seconds of warm-up as
 * `--rounds N` and `--warmup S` say (a noisy machine's medians settle with
 * more of both).
 */
export const SMOKE = process.argv.includes('--smoke');
export const ROUNDS = SMOKE ? 1 : (countAfter('--rounds') ?? 3);
export const DURATION_S = SMOKE ? 1 : 5;
export const WARMUP_S = SMOKE ? 0 : (countAfter('--warmup') ?? 2);

/** The built sandbox, the upstream every contender calls. */
export const SANDBOX = `${resolve('dist')}/apps/acedata-sandbox/src/main.js`;

export const CHECK_3E_PATH = '/identity/phone/check-3e';

/** What a benchmark starts and loads: a script of its own, or the sample app. */
export interface LoadTarget {
  headers: Record<string, string>;
  nextBody: () => string;
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /**
   * The contender's CPU time (its process, every thread) per answered
   * request, in µs; set by {@link sideBySide}. Less noisy than req/s: a
   * contender that waits for a busy machine does not use more CPU.
   */
  cpuUs?: number;
}

/** `connections` clients posting verifications to `url` for `duration` seconds. */
export async function measure(
  url: string,
  target: LoadTarget,
  connections: number,
  duration: number,
): Promise<Sample> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: CHECK_3E_PATH,
        headers: target.headers,
        setupRequest: (request) => ({ ...request, body: target.nextBody() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** A process loaded side by side with others, against the sandbox. */
export interface Contender extends LoadTarget {
  name: string;
  script: string;
  env: (upstream: NodeProcess) => Record<string, string>;
}

/** Takes one measured sample of contender `i` (at `url`); may look around it. */
export type TakeSample = (
  i: number,
  url: string,
  take: () => Promise<Sample>,
) => Promise<Sample>;

/**
 * One scenario: a sandbox answering after `latencyMs`, every contender
 * started against it, a warm-up each, then {@link ROUNDS} rounds of
 * {@link DURATION_S} s with the order rotated each round, so that each one
 * sees the same machine. Returns each contender's samples and peak RSS.
 */
export async function sideBySide(
  contenders: readonly Contender[],
  { latencyMs, connections }: { latencyMs: number; connections: number },
  sample: TakeSample = (_i, _url, take) => take(),
): Promise<{ samples: Sample[][]; peakRss: number[] }> {
  const sandbox = await startNodeProcess(SANDBOX, {
    env: { SANDBOX_PORT: '0', SANDBOX_LATENCY_MS: String(latencyMs) },
  });
  const running: NodeProcess[] = [];
  const samples: Sample[][] = contenders.map(() => []);
  try {
    for (const c of contenders)
      running.push(await startNodeProcess(c.script, { env: c.env(sandbox) }));
    if (WARMUP_S > 0) {
      for (const [i, c] of contenders.entries())
        await measure(running[i].url, c, connections, WARMUP_S);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + round) % contenders.length;
        const { url, child } = running[i];
        // The CPU of the measurement alone, not of what `sample` asks around it.
        const take = async (): Promise<Sample> => {
          const cpuBefore = cpuMs(child.pid);
          const taken = await measure(
            url,
            contenders[i],
            connections,
            DURATION_S,
          );
          const cpu = cpuMs(child.pid) - cpuBefore;
          const answered = taken.rps * DURATION_S;
          return { ...taken, cpuUs: (cpu * 1000) / answered };
        };
        samples[i].push(await sample(i, url, take));
      }
    }
    return { samples, peakRss: running.map((p) => p.peakRssMb()) };
  } finally {
    for (const p of running) await p.stop().catch(() => undefined);
    await sandbox.stop();
  }
}

/** CPU time a process used so far, every thread, in ms (/proc, 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command's name in parentheses: utime and stime are fields 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Contender `i`'s req/s (or what `of` reads of a sample) over contender
 * `base`'s, round by round (each round runs them one after the other, so a
 * ratio within it shares the machine's moment), and the median of those.
 */
export function pairedRatio(
  samples: Sample[][],
  i: number,
  base = 0,
  of: (sample: Sample) => number = (sample) => sample.rps,
): number {
  return median(samples[i].map((s, round) => of(s) / of(samples[base][round])));
}

/** A sample's CPU per request, for {@link pairedRatio}. */
export const cpuOf = (sample: Sample): number => sample.cpuUs!;

export const median = (values: number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
