import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from '@app/acedata-sandbox';

/** The built sample app (`npm run build`, which `npm test` runs first). */
export const SAMPLE_APP_MAIN = resolve('dist/apps/sample-app/src/main.js');

export const KEY_A = 'test-key-aaaaaaaaaaaa';
export const KEY_B = 'test-key-bbbbbbbbbbbb';
export const ACEDATA_TEST_TOKEN = 'e2e-acedata-token-5b1c9e';

// Strips terminal colours from log lines.
const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

/** The sample app running as its own process, as it does in production. */
export interface SampleAppProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the built sample app in a child process on a loopback port chosen by
 * the OS, with exactly the given environment (plus PATH), and waits until it
 * listens. Rejects with its output if it exits first.
 */
export async function startSampleApp(
  env: NodeJS.ProcessEnv,
): Promise<SampleAppProcess> {
  if (!existsSync(SAMPLE_APP_MAIN)) {
    throw new Error(`${SAMPLE_APP_MAIN} is missing: run "npm run build" first`);
  }
  const child = spawn(process.execPath, [SAMPLE_APP_MAIN], {
    env: {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on(
    'data',
    (chunk: Buffer) => (output += chunk.toString('utf8').replace(ANSI, '')),
  );
  child.stderr?.on(
    'data',
    (chunk: Buffer) => (output += chunk.toString('utf8').replace(ANSI, '')),
  );
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => done(code)),
  );

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in 20 s:\n${output}`)),
      20_000,
    );
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+?)[\s)]/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`the app exited with ${code} before listening:\n${output}`),
      );
    });
  });

  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A sandbox and the sample app pointed at it. */
export interface Harness {
  app: SampleAppProcess;
  sandbox: RunningSandbox;
  url: string;
  close(): Promise<void>;
}

/** Starts a sandbox on port 0 and the sample app configured to use it. */
export async function startHarness(
  env: NodeJS.ProcessEnv = {},
  sandboxOptions: SandboxOptions = {},
): Promise<Harness> {
  const sandbox = await startSandbox({
    token: ACEDATA_TEST_TOKEN,
    ...sandboxOptions,
  });
  try {
    const app = await startSampleApp({
      ACEDATA_API_TOKEN: sandbox.token,
      ACEDATA_BASE_URL: sandbox.url,
      ACEDATA_TIMEOUT_MS: '1500',
      SAMPLE_APP_API_KEYS: `${KEY_A},${KEY_B}`,
      SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    });
    return {
      app,
      sandbox,
      url: app.url,
      close: async () => {
        await app.stop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
