import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Made once for the whole jest run (jest-global-setup.mjs), else here. */
let template: string | undefined = process.env.TEST_LEDGER_TEMPLATE_DIR;
/** Every folder made here, removed when this process exits (one listener for all). */
const made = new Set<string>();
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh folder holding an empty embedded ledger (PGlite keeps one process
 * to a folder, so each app gets its own), removed when this process exits.
 * It is a copy of one made once: a copy opens in half a second, where a new
 * folder takes four (initdb) and far longer when replicas start together.
 */
export function freshLedgerDir(): string {
  if (!template) {
    const empty = mkdtempSync(join(tmpdir(), 'ledger-template-'));
    made.add(empty);
    // PGlite's creation is asynchronous: made once, in a child process.
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { PGlite } = await import('@electric-sql/pglite'); await (await PGlite.create(process.argv[1])).close();",
        empty,
      ],
      { stdio: 'ignore' },
    );
    template = empty;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  cpSync(template, dir, { recursive: true });
  made.add(dir);
  return dir;
}
