// Removes what jest-global-setup.mjs made.
import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const dir = process.env.TEST_LEDGER_TEMPLATE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
