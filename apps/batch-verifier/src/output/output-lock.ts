import { realpathSync } from 'node:fs';
import { takeLockFile, type LockFileHolder } from '@app/phone-verification';
import { dirname, basename, join } from 'node:path';

/** Another run holds the output: this one must not pay for the same rows. */
export class OutputLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockFileHolder | undefined,
  ) {
    super(
      `${lockPath} says run ${holder?.pid ?? 'unknown'} on ${holder?.host ?? 'an unknown host'} is writing this output; ` +
        'two runs on one --out would both pay for the same rows. Wait for it, or remove the lock file if that run is gone.',
    );
    this.name = 'OutputLockedError';
  }
}

/** The lock file beside an output: `<dir>/.<name>.lock`. */
export function lockPathOf(out: string): string {
  let dir = dirname(out);
  try {
    dir = realpathSync(dir);
  } catch {
    // The folder is checked when the output is opened.
  }
  return join(dir, `.${basename(out)}.lock`);
}

/**
 * Takes the exclusive lock on an output file with the library's lock file
 * (`takeLockFile`): one left by a run that is gone (dead, its pid now
 * another process's or this very one's, as a container restarted) is taken
 * over, and `onTakeover` says so. A lock held by a live run (or by another
 * host, which this one cannot check) throws `OutputLockedError`. Returns the
 * release, which also runs when the process exits.
 */
export function lockOutput(
  out: string,
  onTakeover: (holder: LockFileHolder | undefined, lockPath: string) => void,
): () => void {
  const path = lockPathOf(out);
  const release = takeLockFile(
    path,
    (holder) => new OutputLockedError(path, holder),
    (holder) => onTakeover(holder, path),
  );
  process.once('exit', release);
  return release;
}

/** True when `out` is the input file itself (links and relative paths resolved). */
export function sameFile(input: string, out: string): boolean {
  try {
    return realpathSync(input) === realpathSync(out);
  } catch {
    return false;
  }
}
