// Runs once before all of jest's workers: makes the one empty embedded
// ledger (PGlite's initdb, 4 s alone and far more on a loaded machine) that
// every test copies (test/support/ledger-template.ts). Made per test file
// instead, the first test of each file paid for it inside its timeout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-template-'));
  await (await PGlite.create(dir)).close();
  // Workers inherit the environment of the process that starts them.
  process.env.TEST_LEDGER_TEMPLATE_DIR = dir;
}
