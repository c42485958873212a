#!/usr/bin/env node
// The package's `acedata-sandbox` command: see `runSandboxCli`.
import { runSandboxCli } from './sandbox.cli-run.js';

await runSandboxCli(process.argv.slice(2), process.env);
