import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from '@app/phone-verification/testing';
import { startNodeProcess, type NodeProcess } from './node-process.js';

/** The built sample app (`npm run build`, which `npm test` runs first). */
export const SAMPLE_APP_MAIN = resolve('dist/apps/sample-app/src/main.js');

export const KEY_A = 'test-key-aaaaaaaaaaaa';
export const KEY_B = 'test-key-bbbbbbbbbbbb';
export const ACEDATA_TEST_TOKEN = 'e2e-acedata-token-5b1c9e';

/** The sample app running as its own process, as it does in production. */
export type SampleAppProcess = NodeProcess;

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
  return startNodeProcess(SAMPLE_APP_MAIN, {
    env: { HOST: '127.0.0.1', PORT: '0', ...env },
    urlPattern: /listening on (http:\/\/\S+?)[\s)]/,
  });
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
