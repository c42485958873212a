import {
  InvalidPhoneVerificationEnvError,
  type PhoneVerificationEnvContext,
} from '@app/phone-verification';

/** The documented operator key, accepted only in sandbox mode without SAMPLE_APP_OPERATOR_KEYS. */
export const DEVELOPMENT_OPERATOR_KEY = 'sandbox-operator-key';

/** Where the embedded ledger is kept without DATABASE_URL. */
export const DEFAULT_LEDGER_DIR = './data/ledger';

function invalid(variable: string, problem: string): never {
  throw new InvalidPhoneVerificationEnvError(variable, problem);
}

/**
 * What the sample app adds to the library's variables: its usage ledger on
 * PostgreSQL at `DATABASE_URL`, or else PGlite in `SAMPLE_APP_LEDGER_DIR`
 * (`./data/ledger`), so the app always has one (unless the library's own
 * `PHONE_VERIFICATION_LEDGER_*` variables name another store).
 */
export function ledgerEnvContext(
  env: NodeJS.ProcessEnv,
  sandboxMode: boolean,
): PhoneVerificationEnvContext {
  return {
    sandboxMode,
    ledger: {
      databaseUrl: env.DATABASE_URL,
      embeddedDir: env.SAMPLE_APP_LEDGER_DIR || DEFAULT_LEDGER_DIR,
    },
  };
}

/**
 * A comma-separated list of keys in `variable`: 12 characters each at
 * least, none of `taken` (else `repeated` is the problem).
 */
function keyList(
  env: NodeJS.ProcessEnv,
  variable: string,
  taken: readonly string[],
  repeated: string,
): string[] {
  const keys = (env[variable] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.some((key) => key.length < 12)) {
    invalid(variable, 'must hold keys of at least 12 characters');
  }
  if (keys.some((key) => taken.includes(key))) {
    invalid(variable, repeated);
  }
  return keys;
}

/**
 * `SAMPLE_APP_OPERATOR_KEYS`: the keys of the operator endpoints (usage,
 * deletion), separate from the caller keys; 12 characters each at least,
 * none a caller key. Without them the operator endpoints refuse every key,
 * except in sandbox mode, where the development operator key opens them.
 */
export function loadOperatorKeys(
  env: NodeJS.ProcessEnv,
  sandboxMode: boolean,
  callerKeys: readonly string[],
): string[] {
  const keys = keyList(
    env,
    'SAMPLE_APP_OPERATOR_KEYS',
    callerKeys,
    'must not repeat a caller key of SAMPLE_APP_API_KEYS',
  );
  if (keys.length === 0 && sandboxMode) return [DEVELOPMENT_OPERATOR_KEY];
  return keys;
}

/**
 * `SAMPLE_APP_METRICS_KEYS`: keys that read `GET /metrics` and nothing else
 * (a Prometheus scraper's), 12 characters each at least, none a caller or
 * operator key. Operator keys read the metrics too; caller keys do not
 * (they hold deployment-wide spend).
 */
export function loadMetricsKeys(
  env: NodeJS.ProcessEnv,
  otherKeys: readonly string[],
): string[] {
  return keyList(
    env,
    'SAMPLE_APP_METRICS_KEYS',
    otherKeys,
    'must not repeat a key of SAMPLE_APP_API_KEYS or SAMPLE_APP_OPERATOR_KEYS',
  );
}
