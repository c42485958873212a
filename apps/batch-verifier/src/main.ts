import { hostname } from 'node:os';
import { NestFactory } from '@nestjs/core';
import {
  InvalidPhoneVerificationEnvError,
  PhoneVerificationService,
  phoneVerificationOptionsFromEnv,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import {
  sandboxModeFromEnv,
  SandboxModeError,
  sandboxModeWarning,
  startSandbox,
  type RunningSandbox,
  type SandboxMode,
} from '@app/phone-verification/sandbox';
import { parseBatchArguments } from './batch-arguments.js';
import { BatchVerifierModule } from './batch-verifier.module.js';
import { countRows } from './input/csv-input.js';
import { MissingColumnError } from './input/columns.js';
import {
  lockOutput,
  OutputLockedError,
  sameFile,
} from './output/output-lock.js';
import { ProgressReporter, summaryTable } from './output/progress-reporter.js';
import { BatchRunner } from './run/batch-runner.js';
import { checkFiles, describeFileError } from './run/run-failure.js';

// npm run verify:batch -- <input.csv> --out <results.csv> [options]
const args = parseBatchArguments(process.argv);
const say = (line: string) => process.stderr.write(`${line}\n`);
const resumeCommand = `npm run verify:batch -- ${process.argv
  .slice(2)
  .map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
  .join(' ')}`;

// Exit codes besides 0, 1 (an error), 3 (a budget) and 130 (interrupted).
const EXIT_REFUSED = 2;
const EXIT_LOCKED = 4;
const unusable = checkFiles(args.input, args.out);
if (unusable) {
  say(unusable.message);
  process.exit(unusable.exitCode);
}
if (sameFile(args.input, args.out)) {
  say(
    `Cannot run: --out ${args.out} is the input file itself; results would be appended to it.`,
  );
  process.exit(EXIT_REFUSED);
}
if (!args.dryRun) {
  try {
    lockOutput(args.out, (holder, lockPath) =>
      say(
        `Taking over ${lockPath}: run ${holder?.pid ?? 'unknown'} on ${holder?.host ?? 'this host'} is no longer running.`,
      ),
    );
  } catch (error) {
    if (!(error instanceof OutputLockedError)) throw error;
    say(`Cannot run: ${error.message}`);
    process.exit(EXIT_LOCKED);
  }
}

let sandbox: RunningSandbox | undefined;
let close = async (): Promise<void> => undefined;
let runner: BatchRunner;
if (args.dryRun) {
  runner = new BatchRunner(args, undefined);
} else {
  let mode: SandboxMode;
  try {
    mode = sandboxModeFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof SandboxModeError)) throw error;
    say(`Cannot run: ${error.message}`);
    process.exit(EXIT_REFUSED);
  }
  if (mode.sandboxMode) {
    sandbox = await startSandbox({ latencyMs: mode.latencyMs });
    say(sandboxModeWarning(sandbox.url));
  }
  // With DATABASE_URL, the run writes to the serving replicas' usage ledger
  // (PostgreSQL); the embedded one is the sample app's process's own.
  let options: PhoneVerificationModuleOptions;
  try {
    options = phoneVerificationOptionsFromEnv(
      process.env,
      sandbox ? { apiToken: sandbox.token, baseUrl: sandbox.url } : {},
      {
        sandboxMode: mode.sandboxMode,
        ledger: {
          databaseUrl: process.env.DATABASE_URL,
          replica: `batch:${hostname()}:${process.pid}`,
        },
      },
    );
  } catch (error) {
    if (!(error instanceof InvalidPhoneVerificationEnvError)) throw error;
    say(`Cannot run: ${error.message}`);
    await sandbox?.close();
    process.exit(EXIT_REFUSED);
  }
  const app = await NestFactory.createApplicationContext(
    BatchVerifierModule.forRoot(options, args),
    { logger: ['error'] },
  );
  const service = app.get(PhoneVerificationService);
  runner = new BatchRunner(args, (request, verifyOptions) =>
    service.verify(request, { ...verifyOptions, caller: 'batch' }),
  );
  close = async () => {
    await app.close();
    await sandbox?.close();
  };
}

const progress = new ProgressReporter(runner.tally, {
  total: await countRows(args.input),
  rate: args.rate,
  price: args.price,
  tty: process.stderr.isTTY === true,
  stream: process.stderr,
});
let interrupts = 0;
process.on('SIGINT', () => {
  if (++interrupts > 1) process.exit(130);
  say(
    '\nCtrl-C: finishing the calls in flight (Ctrl-C again to quit at once)…',
  );
  runner.interrupt();
});

progress.start();
let outcome: Awaited<ReturnType<BatchRunner['run']>>;
try {
  outcome = await runner.run();
} catch (error) {
  progress.stop();
  await close();
  const fileError = describeFileError(error, args.input);
  if (fileError) {
    say(fileError.message);
    process.exit(fileError.exitCode);
  }
  say(
    error instanceof MissingColumnError
      ? `Cannot run: ${error.message}`
      : `Stopped by an error: ${error instanceof Error ? error.name : 'unknown'}`,
  );
  process.exit(1);
}
progress.stop();
await close();
process.stdout.write(`${summaryTable(runner.tally, args.rate, args.price)}\n`);
if (args.dryRun) {
  say(
    `Dry run: ${runner.tally.wouldSend} distinct valid identities would be sent (at most that many billed); nothing was called.`,
  );
}
if (outcome === 'budget') {
  say(
    `A spend budget is exhausted: stopped cleanly. The rest is resumable: ${resumeCommand}`,
  );
  process.exit(3);
}
if (outcome === 'interrupted') {
  say(`Interrupted. To resume: ${resumeCommand}`);
  process.exit(130);
}
process.exit(0);
