import {
  InvalidPhoneVerificationOptionsError,
  resolvePacing,
} from '@app/phone-verification';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { EncodingChoice } from './input/encoding.js';
import type { BatchRunOptions } from './run/batch-runner.js';

/** The command line, parsed. */
export interface BatchArguments extends BatchRunOptions {
  readonly price?: number;
}

function positive(label: string, integer: boolean) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(
        `${label} must be a positive ${integer ? 'whole ' : ''}number`,
      );
    }
    return value;
  };
}

/** `--rate`: checked by the library's own pacing rule. */
function callsPerSecond(raw: string): number {
  const pacing = { callsPerSecond: Number(raw) };
  try {
    resolvePacing(pacing);
  } catch (error) {
    if (!(error instanceof InvalidPhoneVerificationOptionsError)) throw error;
    throw new InvalidArgumentError(`--rate ${error.problem}`);
  }
  return pacing.callsPerSecond;
}

/** What commander hands back. */
interface ParsedOptions {
  out: string;
  rate?: number;
  concurrency: number;
  idColumn?: string;
  nameColumn?: string;
  phoneColumn?: string;
  idCardColumn?: string;
  encoding: EncodingChoice;
  retryUncertain: boolean;
  retryErrors: boolean;
  dryRun: boolean;
  includeInput: boolean;
  price?: number;
}

/** Parses `verify:batch`'s arguments (commander); exits with usage on error. */
export function parseBatchArguments(argv: readonly string[]): BatchArguments {
  const program = withSpendOptions(withColumnOptions(batchCommand()));
  program.parse(argv as string[]);
  const o = program.opts<ParsedOptions>();
  return {
    input: program.args[0],
    out: o.out,
    rate: o.rate,
    concurrency: o.concurrency,
    columns: {
      name: o.nameColumn,
      phone: o.phoneColumn,
      idCard: o.idCardColumn,
      id: o.idColumn,
    },
    encoding: o.encoding,
    retryUncertain: o.retryUncertain,
    retryErrors: o.retryErrors,
    dryRun: o.dryRun,
    includeInput: o.includeInput,
    price: o.price,
  };
}

/** The command, its files and its pace. */
function batchCommand(): Command {
  return new Command('verify:batch')
    .description(
      'Verify a CSV of people (name, mainland-China mobile, resident ID) through AceData, resumably, at a set rate.',
    )
    .argument('<input>', 'input CSV')
    .requiredOption(
      '--out <file>',
      'output CSV (rerun with the same --out to resume)',
    )
    .option(
      '--rate <n>',
      'upstream calls per second at most, retries included',
      callsPerSecond,
    )
    .option(
      '--concurrency <n>',
      'calls in flight at most',
      positive('--concurrency', true),
      8,
    )
    .showHelpAfterError();
}

/** Where the input's fields are, and how it is encoded. */
function withColumnOptions(command: Command): Command {
  return command
    .option(
      '--id-column <name>',
      'a column carried through to the output, e.g. a user id',
    )
    .option('--name-column <name>', 'the name column (default: name, 姓名, …)')
    .option(
      '--phone-column <name>',
      'the mobile column (default: phone, 手机号, 手机号码, …)',
    )
    .option(
      '--id-card-column <name>',
      'the ID number column (default: id_card, 身份证号, 身份证, …)',
    )
    .addOption(
      new Option('--encoding <encoding>', 'input encoding')
        .choices(['auto', 'utf8', 'gb18030'])
        .default('auto'),
    );
}

/** What may be paid for, and what is written out. */
function withSpendOptions(command: Command): Command {
  return command
    .option(
      '--retry-uncertain',
      'send again the rows sent but never answered (may pay twice)',
      false,
    )
    .option(
      '--retry-errors',
      'send again the rows that ended in an error that cost nothing (may_have_billed=false); never those that may have been billed',
      false,
    )
    .option(
      '--dry-run',
      'validate only and count what would be billed; call nothing',
      false,
    )
    .option(
      '--include-input',
      'write the raw name, phone and ID number to the output',
      false,
    )
    .option(
      '--price <amount>',
      'price per billed call, to show the spend',
      positive('--price', false),
    );
}
