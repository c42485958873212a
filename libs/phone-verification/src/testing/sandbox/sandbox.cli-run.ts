import { parseArgs } from 'node:util';
import { TEST_ID_CARD, TEST_NAME } from './sandbox.identities.js';
import { DEFAULT_SANDBOX_TOKEN, startSandbox } from './sandbox.server.js';
import { parseSandboxLatency } from './sandbox-mode.js';

/** The `--help` text. */
export const SANDBOX_USAGE = `Usage: acedata-sandbox [options]

A local stand-in for AceData's POST /identity/phone/check-3e (no charges, fictional data).

Options:
  --port <n>       port to listen on (default 4010; 0 picks a free one)
  --host <addr>    address to bind (default 127.0.0.1)
  --token <t>      the bearer token it accepts (default "${DEFAULT_SANDBOX_TOKEN}")
  --latency <ms>   delay before every answer, modelling the carrier (default 0)
  -h, --help       show this help

The environment variables SANDBOX_PORT, SANDBOX_HOST, SANDBOX_TOKEN and
SANDBOX_LATENCY_MS are read when the option is not given.`;

function whole(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Reads the command line (and the SANDBOX_* fallbacks); throws on a bad one. */
export function sandboxCliOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
):
  | { help: true }
  | {
      help: false;
      port: number;
      host: string;
      token: string;
      latencyMs: number;
    } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      latency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  return {
    help: false,
    port: whole('port', values.port ?? env.SANDBOX_PORT ?? '4010', 0, 65_535),
    host: values.host ?? env.SANDBOX_HOST ?? '127.0.0.1',
    token: values.token || env.SANDBOX_TOKEN || DEFAULT_SANDBOX_TOKEN,
    latencyMs:
      values.latency === undefined
        ? parseSandboxLatency(env.SANDBOX_LATENCY_MS)
        : parseSandboxLatency(values.latency, '--latency'),
  };
}

/**
 * Runs the sandbox from a command line (`acedata-sandbox --port 4010 …`)
 * until SIGINT or SIGTERM; `--help` prints the options. Exits 2 on a bad
 * option.
 */
export async function runSandboxCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  let options: ReturnType<typeof sandboxCliOptions>;
  try {
    options = sandboxCliOptions(argv, env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${SANDBOX_USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${SANDBOX_USAGE}\n`);
    return;
  }
  const sandbox = await startSandbox(options);
  process.stdout.write(
    `AceData sandbox on ${sandbox.url} (token "${sandbox.token}"). Try: ` +
      `curl -s ${sandbox.url}/identity/phone/check-3e -H 'authorization: Bearer ${sandbox.token}' ` +
      `-H 'content-type: application/json' -d '{"name":"${TEST_NAME}","phone":"13800000000","id_card":"${TEST_ID_CARD}"}'\n`,
  );
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
