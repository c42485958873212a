import { resolve } from 'node:path';
import { InvalidPhoneVerificationEnvError } from '../errors/boot.errors.js';
import type { LedgerOptions } from './ledger.options.js';

/** The ledger's HMAC secret in sandbox mode when none is set (fictional data only). */
const SANDBOX_LEDGER_SECRET = 'sandbox-ledger-secret-for-fictional-data-only';

/** How an app reads its ledger from the environment. */
export interface LedgerEnvOptions {
  /** Sandbox mode: a fixed secret when none is set. */
  readonly sandboxMode: boolean;
  /**
   * The embedded store's folder when `DATABASE_URL` is not set (the app's
   * `SAMPLE_APP_LEDGER_DIR`-like variable already read); none: no ledger
   * without `DATABASE_URL` (PGlite is one process's, so a second process on
   * the same machine must not open the same folder).
   */
  readonly embeddedDir?: string;
  /** This process's name in the rows. */
  readonly replica?: string;
}

function invalid(variable: string, problem: string): never {
  throw new InvalidPhoneVerificationEnvError(variable, problem);
}

/**
 * The usage ledger from the environment, for the apps that share one:
 * PostgreSQL at `DATABASE_URL`, else PGlite in `embeddedDir` (else none).
 * Its HMAC secret is `PHONE_VERIFICATION_LEDGER_SECRET` (else
 * `PHONE_VERIFICATION_KEY_SECRET`; a fixed one in sandbox mode).
 * `PHONE_VERIFICATION_LEDGER_WHEN_DOWN=spool` spools to
 * `PHONE_VERIFICATION_LEDGER_SPOOL_DIR` (`./data/ledger-spool`) instead of
 * refusing calls; `PHONE_VERIFICATION_LEDGER_RETENTION_DAYS` purges older
 * rows. Throws `InvalidPhoneVerificationEnvError` naming a bad variable.
 */
export function ledgerOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  options: LedgerEnvOptions,
): LedgerOptions | undefined {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl && !options.embeddedDir) return undefined;
  const secret =
    env.PHONE_VERIFICATION_LEDGER_SECRET ||
    env.PHONE_VERIFICATION_KEY_SECRET ||
    (options.sandboxMode ? SANDBOX_LEDGER_SECRET : undefined);
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
  return {
    store: databaseUrl
      ? { postgres: { url: databaseUrl } }
      : { pglite: { dataDir: resolvePath(options.embeddedDir ?? '') } },
    secret,
    whenStoreDown,
    spoolDir: resolvePath(
      env.PHONE_VERIFICATION_LEDGER_SPOOL_DIR || './data/ledger-spool',
    ),
    ...(retention ? { retentionDays: Number(retention) } : {}),
    ...(options.replica ? { replica: options.replica } : {}),
  };
}

/** A folder, or PGlite's `memory://` as it is. */
function resolvePath(dir: string): string {
  return dir.includes('://') ? dir : resolve(dir);
}

/**
 * The ledger as the library's own variables give it, for
 * `phoneVerificationOptionsFromEnv` (and so `phoneVerificationConfig`):
 * PostgreSQL at `PHONE_VERIFICATION_LEDGER_DATABASE_URL`, or PGlite in the
 * folder `PHONE_VERIFICATION_LEDGER_DIR`; neither set, no ledger. The other
 * ledger variables as {@link ledgerOptionsFromEnv} reads them.
 */
export function ledgerFromLibraryEnv(
  env: NodeJS.ProcessEnv,
): LedgerOptions | undefined {
  const databaseUrl = env.PHONE_VERIFICATION_LEDGER_DATABASE_URL?.trim();
  const dir = env.PHONE_VERIFICATION_LEDGER_DIR?.trim();
  if (databaseUrl && dir) {
    invalid(
      'PHONE_VERIFICATION_LEDGER_DIR',
      'must not be set with PHONE_VERIFICATION_LEDGER_DATABASE_URL (one store: PostgreSQL or the embedded one)',
    );
  }
  return ledgerOptionsFromEnv(
    { ...env, DATABASE_URL: databaseUrl ?? '' },
    { sandboxMode: false, ...(dir ? { embeddedDir: dir } : {}) },
  );
}
