import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let template: string | undefined;

/**
 * A fresh folder holding an empty embedded ledger (PGlite keeps one process
 * to a folder, so each app gets its own), removed when this process exits.
 * It is a copy of one made once: a copy opens in half a second, where a new
 * folder takes four (initdb) and far longer when replicas start together.
 */
export function freshLedgerDir(): string {
  if (!template) {
    const made = mkdtempSync(join(tmpdir(), 'ledger-template-'));
    // PGlite's creation is asynchronous: made once, in a child process.
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { PGlite } = await import('@electric-sql/pglite'); await (await PGlite.create(process.argv[1])).close();",
        made,
      ],
      { stdio: 'ignore' },
    );
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    template = made;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  cpSync(template, dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
