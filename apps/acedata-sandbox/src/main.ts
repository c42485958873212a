import { runSandboxCli } from '@app/phone-verification/sandbox';

// `npm run start:sandbox [-- --port 4010 --latency 100]`: the same command
// the package installs as `acedata-sandbox`.
await runSandboxCli(process.argv.slice(2), process.env);
