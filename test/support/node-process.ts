import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A Node script running as its own process, as it does in production. */
export interface NodeProcess {
  /** The URL it printed when it started listening. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (the first 16 MB), colours stripped. */
  output(): string;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** Current resident set size (VmRSS), in MB. */
  rssMb(): number;
  /** Sends SIGTERM (SIGKILL after `killAfterMs`) and resolves with the exit code. */
  stop(killAfterMs?: number): Promise<number | null>;
}

/** How to start one. */
export interface StartNodeProcessOptions {
  /** The whole environment, besides PATH and NO_COLOR. */
  env: NodeJS.ProcessEnv;
  /** Flags for node itself (`--cpu-prof`, `--max-old-space-size`…). */
  nodeArgs?: string[];
  /** Its first capture group is the URL; matched against the output. */
  urlPattern?: RegExp;
  /** How long it may take to print its URL. Default 20 s. */
  startTimeoutMs?: number;
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');
const MAX_KEPT_OUTPUT = 16_000_000;

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

/**
 * Starts `node <script>` with exactly the given environment and resolves once
 * it prints the URL it listens on; rejects with its output if it exits or
 * stays silent first. Its output is drained for as long as it runs, so it
 * never blocks on a full pipe.
 */
export async function startNodeProcess(
  script: string,
  options: StartNodeProcessOptions,
): Promise<NodeProcess> {
  const {
    env,
    nodeArgs = [],
    urlPattern = /(?:listening on|sandbox on) (http:\/\/[^\s)"]+)/,
    startTimeoutMs = 20_000,
  } = options;
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < MAX_KEPT_OUTPUT)
      output += chunk.toString('utf8').replace(ANSI, '');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => done(code)),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start:\n${output}`)),
      startTimeoutMs,
    );
    const onData = (): void => {
      const match = urlPattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.removeListener('data', onData);
      resolveUrl(match[1]);
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    url,
    child,
    output: () => output,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    stop: (killAfterMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
      }
      return exited;
    },
  };
}
