import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process of the benchmark (the sandbox or a contender). */
export interface BenchProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** Current resident set size (VmRSS), in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

/** A field of /proc/<pid>/status in MB (VmHWM, VmRSS), or NaN once it is gone. */
export function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Starts `node <script>` with the given environment and waits for its URL on stdout. */
export function startProcess(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  urlPattern: RegExp = /(?:listening on|sandbox on) (http:\/\/[^\s)"]+)/,
): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start:\n${output}`)),
      20_000,
    );
    const onData = (chunk: Buffer): void => {
      if (output.length < 100_000)
        output += chunk.toString('utf8').replace(ANSI, '');
      const match = urlPattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining the logs so the process never blocks on a full pipe.
      child.stdout?.removeListener('data', onData);
      child.stdout?.resume();
      const pid = child.pid ?? 0;
      resolve({
        url: match[1],
        child,
        peakRssMb: () => statusField(pid, 'VmHWM'),
        rssMb: () => statusField(pid, 'VmRSS'),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (output += chunk.toString('utf8')),
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
}

/** The caller key the benchmarks use against the sample app. */
export const BENCH_KEY = 'bench-key-0123456789abcdef';

/**
 * The sample app's environment in the benchmarks: pointed at the sandbox,
 * limits out of the way, everything else as in production (info logs on).
 */
export function sampleAppEnv(
  upstreamUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ACEDATA_API_TOKEN: 'sandbox-token',
    ACEDATA_BASE_URL: upstreamUrl,
    SAMPLE_APP_API_KEYS: BENCH_KEY,
    SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '1000000',
    SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}
