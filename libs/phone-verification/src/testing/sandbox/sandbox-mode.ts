/** The largest `SANDBOX_LATENCY_MS` (and `--latency`) accepted. */
const MAX_LATENCY_MS = 600_000;

/** The environment asks for something sandbox mode cannot do; names the variable. */
export class SandboxModeError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'SandboxModeError';
  }
}

/** Whether an app runs against its own sandbox, and how slow that sandbox is. */
export interface SandboxMode {
  /** No `ACEDATA_API_TOKEN`: verifications go to a local sandbox. */
  readonly sandboxMode: boolean;
  /** The sandbox's latency (`SANDBOX_LATENCY_MS`), in sandbox mode. */
  readonly latencyMs: number;
}

/**
 * A sandbox latency: a whole number of milliseconds from 0 to 600000, or
 * `fallback` when unset; anything else (a typo, `1e3`, `-5`, `10ms`) throws
 * naming `variable`.
 */
export function parseSandboxLatency(
  raw: string | undefined,
  variable = 'SANDBOX_LATENCY_MS',
  fallback = 0,
): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > MAX_LATENCY_MS) {
    throw new SandboxModeError(
      variable,
      `must be a whole number from 0 to ${MAX_LATENCY_MS}`,
    );
  }
  return value;
}

/**
 * The one decision both apps make at start: without `ACEDATA_API_TOKEN`
 * they run against a local sandbox (fake answers, nothing billed), except
 * with `NODE_ENV=production`, where that throws: the sandbox is for
 * development only. `SANDBOX_LATENCY_MS` is read strictly.
 */
export function sandboxModeFromEnv(env: NodeJS.ProcessEnv): SandboxMode {
  const sandboxMode = !env.ACEDATA_API_TOKEN?.trim();
  if (sandboxMode && env.NODE_ENV === 'production') {
    throw new SandboxModeError(
      'ACEDATA_API_TOKEN',
      'is required when NODE_ENV=production (the sandbox is for development only; its answers are fake)',
    );
  }
  return {
    sandboxMode,
    latencyMs: parseSandboxLatency(env.SANDBOX_LATENCY_MS),
  };
}

/** What an app says when it starts in sandbox mode. */
export function sandboxModeWarning(sandboxUrl: string): string {
  return (
    `SANDBOX MODE: no ACEDATA_API_TOKEN is set, so verifications go to a local sandbox at ${sandboxUrl}, ` +
    'not to AceData. Answers are fake and nothing is billed. Set ACEDATA_API_TOKEN for real checks.'
  );
}
