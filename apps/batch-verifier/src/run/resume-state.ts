import type { IdentityKeying } from './subject.js';
import type { Answer, AnswerPool } from '../output/result-row.js';
import { Checkpoint } from './checkpoint.js';
import { KnownIdentities } from './known-identities.js';
import { dropRows, readPreviousOutput } from './previous-output.js';

/** An error row that certainly cost nothing: safe to send again. */
const isUnbilledError = (r: Readonly<Record<string, string>>): boolean =>
  r.status === 'error' && r.may_have_billed === 'false';

/** What decides how much of an earlier run is kept. */
export interface ResumeOptions {
  readonly out: string;
  readonly dryRun: boolean;
  /** Send again the rows sent but never answered (may pay twice). */
  readonly retryUncertain: boolean;
  /** Send again the rows whose error certainly cost nothing. */
  readonly retryErrors?: boolean;
}

/** What an earlier run left, as this run starts. */
export interface ResumeState {
  /** Rows already answered in the output. */
  readonly previous: ReadonlyMap<number, Answer>;
  /** The checkpoint beside the output; none in a dry run. */
  readonly checkpoint?: Checkpoint;
  /** How the identity keys are made (the checkpoint's secret). */
  readonly keying: IdentityKeying;
  /** Identities answered so far, for their duplicates. */
  readonly known: KnownIdentities;
  /** Rows sent by an earlier run that never got an answer. */
  readonly uncertain: ReadonlySet<number>;
}

/**
 * Reads the output and the checkpoint an earlier run left. With
 * `retryUncertain`, the `uncertain` rows are dropped from the output so
 * they are sent again; with `retryErrors`, the error rows that cost
 * nothing, recorded in the checkpoint as not sent. A dry run reads nothing.
 */
export async function openResumeState(
  options: ResumeOptions,
  pool: AnswerPool,
): Promise<ResumeState> {
  const known = new KnownIdentities(pool);
  if (options.dryRun) {
    return {
      previous: new Map(),
      keying: { secret: 'dry-run', legacy: false },
      known,
      uncertain: new Set(),
    };
  }
  // One pass over the output drops what is to be sent again.
  const unbilledErrors: number[] = [];
  if (options.retryUncertain || options.retryErrors) {
    await dropRows(options.out, (r) => {
      if (options.retryErrors && isUnbilledError(r)) {
        unbilledErrors.push(Number(r.row));
        return true;
      }
      return options.retryUncertain && r.status === 'uncertain';
    });
  }
  const previous = await readPreviousOutput(options.out, pool);
  const checkpoint = await Checkpoint.open(`${options.out}.checkpoint`);
  for (const row of unbilledErrors) checkpoint.notSent(row);
  const uncertain = new Set<number>();
  for (const [row, key] of checkpoint.state.sent) {
    const answer = previous.get(row);
    if (answer) known.set(key, { answer, row });
    else if (!checkpoint.state.unsent.has(row) && !options.retryUncertain)
      uncertain.add(row);
  }
  return {
    previous,
    checkpoint,
    keying: checkpoint.state.keying,
    known,
    uncertain,
  };
}
