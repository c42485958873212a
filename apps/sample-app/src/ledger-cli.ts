import { text } from 'node:stream/consumers';
import {
  EmbeddedLedgerInUseError,
  InvalidPhoneVerificationEnvError,
  openUsageLedger,
  type UsageLedger,
} from '@app/phone-verification';
import { sandboxModeFromEnv } from '@app/phone-verification/sandbox';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Command, CommanderError } from 'commander';
import {
  ForgetRequestDto,
  UsageQueryDto,
  usageRangeProblem,
} from './ledger/ledger-requests.dto.js';
import { usageAnswer, usageCsv, usageTable } from './ledger/usage-answer.js';
import { libraryOptionsFromEnv } from './sample-app.config.js';

/**
 * The finance CLI on the sample app's usage ledger (the same store and
 * variables as the app: `DATABASE_URL`, or the embedded folder):
 *
 *   npm run ledger -- report --from 2026-12-01 --to 2026-12-31 [--caller id] [--csv | --json]
 *   npm run ledger -- forget < person.json   ({ "name", "phone", "id_card" })
 *
 * Exits 0 when done, 2 on bad arguments, variables or input, 3 when the
 * ledger's store cannot be read (away, or the embedded folder held by the
 * running app). Never prints a name, phone or ID number.
 */
const EXIT_USAGE = 2;
const EXIT_STORE = 3;

/** A failure the CLI explains in one line, with its exit code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function withLedger<T>(run: (ledger: UsageLedger) => Promise<T>) {
  let ledger: UsageLedger;
  try {
    const { sandboxMode } = sandboxModeFromEnv(process.env);
    const { ledger: options } = libraryOptionsFromEnv(process.env, sandboxMode);
    if (!options) throw new Error('unreachable: the app always has a ledger');
    ledger = await openUsageLedger(options);
  } catch (error) {
    if (error instanceof InvalidPhoneVerificationEnvError) {
      throw new CliFailure(error.message, EXIT_USAGE);
    }
    if (error instanceof EmbeddedLedgerInUseError) {
      throw new CliFailure(
        `${error.message} While the sample app runs, ask it: GET /usage with an operator key.`,
        EXIT_STORE,
      );
    }
    throw error;
  }
  try {
    return await run(ledger);
  } catch (error) {
    throw new CliFailure(
      `The usage ledger could not be read (${storeOf()}): ${(error as Error).message}`,
      EXIT_STORE,
    );
  } finally {
    await ledger.close().catch(() => undefined);
  }
}

/** Which store, without the credentials a URL may hold. */
function storeOf(): string {
  return process.env.DATABASE_URL
    ? 'PostgreSQL at DATABASE_URL'
    : 'the embedded store';
}

/** Throws naming each field a DTO's rules refuse (never its value). */
function problemsOf(dto: object, more: string[] = []): void {
  const problems = [
    ...validateSync(dto).flatMap((error) =>
      Object.values(error.constraints ?? {}),
    ),
    ...more,
  ];
  if (problems.length > 0) {
    throw new CliFailure(problems.join('; '), EXIT_USAGE);
  }
}

interface ReportOptions {
  from: string;
  to: string;
  caller?: string;
  csv?: boolean;
  json?: boolean;
}

async function report(options: ReportOptions): Promise<string> {
  const query = plainToInstance(UsageQueryDto, {
    from: options.from,
    to: options.to,
    caller: options.caller,
  });
  const range = usageRangeProblem(query.from, query.to);
  problemsOf(query, range ? [range] : []);
  if (options.csv && options.json) {
    throw new CliFailure('--csv and --json: choose one', EXIT_USAGE);
  }
  const answer = usageAnswer(
    await withLedger((ledger) =>
      ledger.usage({ from: query.from, to: query.to, caller: query.caller }),
    ),
  );
  if (options.csv) return usageCsv(answer);
  if (options.json) return `${JSON.stringify(answer, null, 2)}\n`;
  return usageTable(answer);
}

/** Reads `{ "name", "phone", "id_card" }` from standard input; never echoes it. */
async function forget(): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse(await text(process.stdin));
  } catch {
    throw new CliFailure(
      'standard input must be one JSON object: { "name", "phone", "id_card" }',
      EXIT_USAGE,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CliFailure(
      'standard input must be one JSON object: { "name", "phone", "id_card" }',
      EXIT_USAGE,
    );
  }
  // The rules of POST /ledger/forget: each problem names its field.
  const person = plainToInstance(ForgetRequestDto, body);
  problemsOf(person);
  const deleted = await withLedger((ledger) =>
    ledger.forget({
      name: person.name,
      phone: person.phone,
      idCard: person.id_card,
    }),
  );
  return `${JSON.stringify({ deleted })}\n`;
}

function program(): Command {
  const cli = new Command('ledger')
    .description("The sample app's usage ledger, for finance and support")
    .exitOverride()
    .showHelpAfterError();
  cli
    .command('report')
    .description(
      'Per China day: upstream calls, billed, may have billed, cache hits, shared answers, budget refusals',
    )
    .requiredOption('--from <day>', 'first China day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last China day, YYYY-MM-DD, included')
    .option('--caller <id>', "one caller's rows only")
    .option('--csv', 'CSV: a line per day, then a total line')
    .option('--json', 'the JSON of GET /usage')
    .action(async (options: ReportOptions) => {
      process.stdout.write(await report(options));
    });
  cli
    .command('forget')
    .description(
      'Delete every row about one person, read from standard input as { "name", "phone", "id_card" }',
    )
    .action(async () => {
      process.stdout.write(await forget());
    });
  return cli;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof CliFailure) {
    process.stderr.write(`ledger: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`ledger: ${(error as Error).name}\n`);
    process.exitCode = 1;
  }
}
