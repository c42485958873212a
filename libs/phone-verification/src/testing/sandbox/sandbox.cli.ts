#!/usr/bin/env node
// The package's `acedata-sandbox` command: see `runSandboxCli`. No top-level
// await: the command is the CommonJS build's, so it runs from any app.
import { runSandboxCli } from './sandbox.cli-run.js';

runSandboxCli(process.argv.slice(2), process.env).catch((error: unknown) => {
  process.stderr.write(
    `acedata-sandbox: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
