import { resolve } from 'node:path';
import { InvalidPhoneVerificationEnvError } from '../errors/boot.errors.js';
import type { LedgerOptions } from './ledger.options.js';

/** The ledger's HMAC secret in sandbox mode when none is set (fictional data only). */
const SANDBOX_LEDGER_SECRET = 'sandbox-ledger-secret-for-fictional-data-only';

/**
 * What an app adds to the library's variables when it reads them
 * (`phoneVerificationOptionsFromEnv`'s third argument).
 */
export interface PhoneVerificationEnvContext {
  /** Sandbox mode (fictional data only): the ledger's secret has a fixed default. */
  readonly sandboxMode?: boolean;
  /**
   * The app's ledger, used when the library's own ledger variables name no
   * store: PostgreSQL at `databaseUrl` (the app's `DATABASE_URL`), else
   * PGlite in `embeddedDir`. PGlite is one process's: an app that may run
   * beside the one holding the folder gives none.
   */
  readonly ledger?: {
    readonly databaseUrl?: string;
    readonly embeddedDir?: string;
    /** This process's name in the rows. */
    readonly replica?: string;
  };
}

function invalid(variable: string, problem: string): never {
  throw new InvalidPhoneVerificationEnvError(variable, problem);
}

/**
 * The usage ledger from the environment: PostgreSQL at
 * `PHONE_VERIFICATION_LEDGER_DATABASE_URL`, or PGlite in the folder
 * `PHONE_VERIFICATION_LEDGER_DIR`; neither set, the app's ledger (its
 * context), else none. Its HMAC secret is `PHONE_VERIFICATION_LEDGER_SECRET`
 * (else `PHONE_VERIFICATION_KEY_SECRET`; a fixed one in sandbox mode).
 * `PHONE_VERIFICATION_LEDGER_WHEN_DOWN=spool` spools to
 * `PHONE_VERIFICATION_LEDGER_SPOOL_DIR` (`./data/ledger-spool`) instead of
 * refusing calls; `PHONE_VERIFICATION_LEDGER_RETENTION_DAYS` purges older
 * rows. Throws `InvalidPhoneVerificationEnvError` naming a bad variable.
 */
export function ledgerFromEnv(
  env: NodeJS.ProcessEnv,
  context: PhoneVerificationEnvContext = {},
): LedgerOptions | undefined {
  const store = storeFromEnv(env, context.ledger ?? {});
  if (!store) return undefined;
  const secret =
    env.PHONE_VERIFICATION_LEDGER_SECRET ||
    env.PHONE_VERIFICATION_KEY_SECRET ||
    (context.sandboxMode ? SANDBOX_LEDGER_SECRET : undefined);
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
  const replica = context.ledger?.replica;
  return {
    store,
    secret,
    whenStoreDown,
    spoolDir: resolvePath(
      env.PHONE_VERIFICATION_LEDGER_SPOOL_DIR || './data/ledger-spool',
    ),
    ...(retention ? { retentionDays: Number(retention) } : {}),
    ...(replica ? { replica } : {}),
  };
}

/** The library's ledger variables' store, else the app's; none without either. */
function storeFromEnv(
  env: NodeJS.ProcessEnv,
  app: NonNullable<PhoneVerificationEnvContext['ledger']>,
): LedgerOptions['store'] | undefined {
  const databaseUrl = env.PHONE_VERIFICATION_LEDGER_DATABASE_URL?.trim();
  const dir = env.PHONE_VERIFICATION_LEDGER_DIR?.trim();
  if (databaseUrl && dir) {
    invalid(
      'PHONE_VERIFICATION_LEDGER_DIR',
      'must not be set with PHONE_VERIFICATION_LEDGER_DATABASE_URL (one store: PostgreSQL or the embedded one)',
    );
  }
  if (databaseUrl) return { postgres: { url: databaseUrl } };
  if (dir) return { pglite: { dataDir: resolvePath(dir) } };
  const appUrl = app.databaseUrl?.trim();
  if (appUrl) return { postgres: { url: appUrl } };
  if (app.embeddedDir)
    return { pglite: { dataDir: resolvePath(app.embeddedDir) } };
  return undefined;
}

/** A folder, or PGlite's `memory://` as it is. */
function resolvePath(dir: string): string {
  return dir.includes('://') ? dir : resolve(dir);
}
