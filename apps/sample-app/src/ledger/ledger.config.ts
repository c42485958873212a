import { resolve } from 'node:path';
import type { LedgerOptions } from '@app/phone-verification';
import { InvalidPhoneVerificationEnvError } from '@app/phone-verification';

/** The documented operator key, accepted only in sandbox mode without SAMPLE_APP_OPERATOR_KEYS. */
export const DEVELOPMENT_OPERATOR_KEY = 'sandbox-operator-key';

/** The ledger's HMAC secret in sandbox mode when none is set (fictional data only). */
const SANDBOX_LEDGER_SECRET = 'sandbox-ledger-secret-for-fictional-data-only';

/** Where the embedded ledger is kept without DATABASE_URL. */
export const DEFAULT_LEDGER_DIR = './data/ledger';

function invalid(variable: string, problem: string): never {
  throw new InvalidPhoneVerificationEnvError(variable, problem);
}

/**
 * The usage ledger, from the environment: PostgreSQL at `DATABASE_URL`, or
 * else PGlite in `SAMPLE_APP_LEDGER_DIR` (`./data/ledger`). Its HMAC secret is
 * `PHONE_VERIFICATION_LEDGER_SECRET` (else `PHONE_VERIFICATION_KEY_SECRET`;
 * a fixed one in sandbox mode). `PHONE_VERIFICATION_LEDGER_WHEN_DOWN=spool`
 * spools to `PHONE_VERIFICATION_LEDGER_SPOOL_DIR` (`./data/ledger-spool`)
 * instead of refusing calls; `PHONE_VERIFICATION_LEDGER_RETENTION_DAYS`
 * purges older rows.
 */
export function loadLedgerConfig(
  env: NodeJS.ProcessEnv,
  sandboxMode: boolean,
): LedgerOptions {
  const secret =
    env.PHONE_VERIFICATION_LEDGER_SECRET ||
    env.PHONE_VERIFICATION_KEY_SECRET ||
    (sandboxMode ? SANDBOX_LEDGER_SECRET : undefined);
  if (!secret) {
    invalid(
      'PHONE_VERIFICATION_LEDGER_SECRET',
      'is required (the HMAC secret of the ledger’s subjects, at least 32 characters, the same on every replica) unless the app runs in sandbox mode',
    );
  }
  if (secret.length < 32) {
    invalid(
      'PHONE_VERIFICATION_LEDGER_SECRET',
      'must be at least 32 characters',
    );
  }
  const whenStoreDown = env.PHONE_VERIFICATION_LEDGER_WHEN_DOWN || 'refuse';
  if (whenStoreDown !== 'refuse' && whenStoreDown !== 'spool') {
    invalid(
      'PHONE_VERIFICATION_LEDGER_WHEN_DOWN',
      'must be "refuse" or "spool"',
    );
  }
  const retention = env.PHONE_VERIFICATION_LEDGER_RETENTION_DAYS;
  if (retention !== undefined && !/^[1-9]\d{0,4}$/.test(retention)) {
    invalid(
      'PHONE_VERIFICATION_LEDGER_RETENTION_DAYS',
      'must be a whole number of days from 1 to 99999',
    );
  }
  const databaseUrl = env.DATABASE_URL?.trim();
  return {
    store: databaseUrl
      ? { postgres: { url: databaseUrl } }
      : {
          pglite: {
            dataDir: resolvePath(
              env.SAMPLE_APP_LEDGER_DIR || DEFAULT_LEDGER_DIR,
            ),
          },
        },
    secret,
    whenStoreDown,
    spoolDir: resolvePath(
      env.PHONE_VERIFICATION_LEDGER_SPOOL_DIR || './data/ledger-spool',
    ),
    ...(retention ? { retentionDays: Number(retention) } : {}),
  };
}

/** A folder, or PGlite's `memory://` as it is. */
function resolvePath(dir: string): string {
  return dir.includes('://') ? dir : resolve(dir);
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
  const keys = (env.SAMPLE_APP_OPERATOR_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.some((key) => key.length < 12)) {
    invalid(
      'SAMPLE_APP_OPERATOR_KEYS',
      'must hold keys of at least 12 characters',
    );
  }
  if (keys.some((key) => callerKeys.includes(key))) {
    invalid(
      'SAMPLE_APP_OPERATOR_KEYS',
      'must not repeat a caller key of SAMPLE_APP_API_KEYS',
    );
  }
  if (keys.length === 0 && sandboxMode) return [DEVELOPMENT_OPERATOR_KEY];
  return keys;
}
