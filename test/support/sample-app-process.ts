import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from '@app/phone-verification/testing';
import { freshLedgerDir } from './ledger-template.js';
import { startNodeProcess, type NodeProcess } from './node-process.js';

/** The built sample app (`npm run build`, which `npm test` runs first). */
export const SAMPLE_APP_MAIN = resolve('dist/apps/sample-app/src/main.js');

export const KEY_A = 'test-key-aaaaaaaaaaaa';
export const KEY_B = 'test-key-bbbbbbbbbbbb';
export const ACEDATA_TEST_TOKEN = 'e2e-acedata-token-5b1c9e';
export const OPERATOR_KEY = 'test-operator-key-cccccccc';
export const METRICS_KEY = 'test-metrics-key-dddddddd';
export const LEDGER_TEST_SECRET = 'e2e-ledger-secret-of-at-least-32-chars';

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
  // Each app its own embedded ledger (PGlite keeps one process to a
  // folder), unless the test names a store.
  const ledgerDir =
    env.DATABASE_URL || env.SAMPLE_APP_LEDGER_DIR
      ? undefined
      : freshLedgerDir();
  const app = await startNodeProcess(SAMPLE_APP_MAIN, {
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      PHONE_VERIFICATION_LEDGER_SECRET: LEDGER_TEST_SECRET,
      SAMPLE_APP_OPERATOR_KEYS: OPERATOR_KEY,
      SAMPLE_APP_METRICS_KEYS: METRICS_KEY,
      ...(ledgerDir ? { SAMPLE_APP_LEDGER_DIR: ledgerDir } : {}),
      ...env,
    },
    urlPattern: /listening on (http:\/\/\S+?)[\s)]/,
  }).catch((error: unknown) => {
    if (ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
    throw error;
  });
  if (!ledgerDir) return app;
  return {
    ...app,
    async stop(killAfterMs?: number) {
      const code = await app.stop(killAfterMs);
      rmSync(ledgerDir, { recursive: true, force: true });
      return code;
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
