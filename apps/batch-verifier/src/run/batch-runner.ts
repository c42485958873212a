import {
  chargedForThisCall,
  meaningOfResultCode,
  PhoneVerificationError,
  UpstreamRateLimitedError,
  type PhoneVerificationRequest,
  type PhoneVerificationResult,
} from '@app/phone-verification';
import {
  mapColumns,
  type ColumnChoice,
  type ColumnMap,
} from '../input/columns.js';
import { readCsv, type InputLine } from '../input/csv-input.js';
import { resolveEncoding, type EncodingChoice } from '../input/encoding.js';
import {
  AnswerPool,
  answerOf,
  type Answer,
  type ResultRow,
} from '../output/result-row.js';
import { ResultWriter } from '../output/result-writer.js';
import { BatchTally } from './batch-tally.js';
import { Checkpoint } from './checkpoint.js';
import { InFlightCalls } from './in-flight-calls.js';
import { Pacer } from './pacer.js';
import { KnownIdentities, type Known } from './known-identities.js';
import { dropRows, readPreviousOutput } from './previous-output.js';
import { subjectOf, type Subject } from './subject.js';

/** What a batch run is told. */
export interface BatchRunOptions {
  readonly input: string;
  readonly out: string;
  /** Upstream calls per second at most, in any one-second window. */
  readonly rate?: number;
  readonly concurrency: number;
  readonly columns: ColumnChoice;
  readonly encoding: EncodingChoice;
  readonly retryUncertain: boolean;
  /** Send again rows whose error certainly cost nothing. */
  readonly retryErrors?: boolean;
  readonly dryRun: boolean;
  readonly includeInput: boolean;
}

/** How a run ended. */
export type BatchOutcome = 'done' | 'interrupted' | 'budget';

/** The library's `verify()`, as the runner calls it. */
export type VerifyFn = (
  request: PhoneVerificationRequest,
) => Promise<PhoneVerificationResult>;

type Valid = Extract<Subject, { valid: true }>;

/** What every output row of a subject has. */
type RowBase = Omit<ResultRow, 'answer' | 'billed' | 'cached'>;

/** One run's state, from what an earlier run left to the calls in flight. */
interface RunState {
  readonly encoding: Awaited<ReturnType<typeof resolveEncoding>>;
  /** Rows an earlier run already answered. */
  readonly previous: ReadonlyMap<number, Answer>;
  readonly checkpoint?: Checkpoint;
  readonly secret: string;
  readonly known: KnownIdentities;
  /** Rows sent by an earlier run that never got an answer. */
  readonly uncertain: ReadonlySet<number>;
  readonly writer?: ResultWriter;
  /** Identities whose call is in flight, for their duplicates to wait on. */
  readonly inFlight: Map<string, Promise<Known | undefined>>;
  readonly calls: InFlightCalls;
  columns?: ColumnMap;
}

const RETRIES_NOT_BILLED = 3;
const RETRIES_RATE_LIMITED = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Verifies a CSV of people, streaming, at a set rate and concurrency,
 * writing one output row per input row as it goes. Never pays twice: a
 * duplicate identity costs one call (later rows carry its answer), rows
 * already answered are not redone on a rerun, and a row that was sent but
 * never answered (the process was killed mid-call) is written `uncertain`
 * instead of being sent again, unless `retryUncertain`.
 */
export class BatchRunner {
  readonly tally = new BatchTally();
  private readonly pool = new AnswerPool();
  private stopReason?: Exclude<BatchOutcome, 'done'>;
  private pausedUntil = 0;
  private readonly pacer?: Pacer;

  constructor(
    private readonly options: BatchRunOptions,
    private readonly verify: VerifyFn | undefined,
  ) {
    this.pacer = options.rate ? new Pacer(options.rate) : undefined;
  }

  /** Ctrl-C: take no new rows, finish the calls in flight. */
  interrupt(): void {
    this.stopReason ??= 'interrupted';
  }

  async run(): Promise<BatchOutcome> {
    const run = await this.open();
    try {
      for await (const line of readCsv(this.options.input, run.encoding)) {
        if (this.stopReason || run.calls.failure) break;
        try {
          await this.take(line, run);
        } catch (error) {
          // Not at once: the answers of the calls in flight are written first.
          run.calls.fail(error);
          break;
        }
        if (this.stopReason || run.calls.failure) break;
      }
      await run.calls.drain();
    } finally {
      run.writer?.close();
    }
    return this.stopReason ?? 'done';
  }

  /** Reads what an earlier run left (output, checkpoint) and opens the output. */
  private async open(): Promise<RunState> {
    const { options } = this;
    const encoding = await resolveEncoding(options.input, options.encoding);
    if (options.retryUncertain && !options.dryRun) {
      await dropRows(options.out, (r) => r.status === 'uncertain');
    }
    // An error that cost nothing: its row may be sent again, safely.
    const unbilledErrors =
      options.retryErrors && !options.dryRun
        ? await dropRows(
            options.out,
            (r) => r.status === 'error' && r.may_have_billed === 'false',
          )
        : [];
    const previous = options.dryRun
      ? new Map<number, Answer>()
      : await readPreviousOutput(options.out, this.pool);
    const checkpoint = options.dryRun
      ? undefined
      : await Checkpoint.open(`${options.out}.checkpoint`);
    for (const row of unbilledErrors) checkpoint?.notSent(row);
    const known = new KnownIdentities(this.pool);
    const uncertain = new Set<number>();
    for (const [row, key] of checkpoint?.state.sent ?? []) {
      const answer = previous.get(row);
      if (answer) known.set(key, { answer, row });
      else if (!checkpoint?.state.unsent.has(row) && !options.retryUncertain)
        uncertain.add(row);
    }
    const writer = options.dryRun
      ? undefined
      : new ResultWriter(
          options.out,
          { idColumn: options.columns.id, includeInput: options.includeInput },
          options.concurrency,
        );
    return {
      encoding,
      previous,
      checkpoint,
      secret: checkpoint?.state.secret ?? 'dry-run',
      known,
      uncertain,
      writer,
      inFlight: new Map(),
      calls: new InFlightCalls(options.concurrency),
    };
  }

  /** One input line: the header, a row already done, a malformed line, or a subject. */
  private async take(line: InputLine, run: RunState): Promise<void> {
    if ('header' in line) {
      run.columns = mapColumns(line.header, this.options.columns);
      return;
    }
    if (run.previous.has(line.row)) {
      this.tally.resumed++;
      return;
    }
    if ('malformed' in line) {
      this.tally.malformed++;
      const answer = answerOf('malformed_line', line.malformed);
      return this.write(run, this.plain(line.row, answer));
    }
    const columns = run.columns!;
    const subject = subjectOf(line.fields, columns, run.secret);
    const base: RowBase = {
      row: line.row,
      id: columns.id === undefined ? undefined : line.fields[columns.id],
      phoneMasked: subject.phoneMasked,
      input: this.options.includeInput
        ? {
            name: line.fields[columns.name],
            phone: line.fields[columns.phone],
            idCard: line.fields[columns.idCard],
          }
        : undefined,
    };
    if (!subject.valid) {
      this.tally.invalid++;
      const answer = this.pool.intern(
        answerOf('invalid_input', subject.problems),
      );
      return this.write(run, { ...base, answer, billed: false, cached: false });
    }
    return this.takeSubject(subject, base, run);
  }

  /** A valid subject: answered before, in flight, or to be sent now. */
  private async takeSubject(
    subject: Valid,
    base: RowBase,
    run: RunState,
  ): Promise<void> {
    if (run.uncertain.has(base.row)) {
      this.tally.uncertain++;
      const answer = this.pool.intern(
        answerOf(
          'uncertain',
          'sent, but no answer arrived (the run was cut off)',
          true,
        ),
      );
      run.known.set(subject.key, { answer, row: base.row });
      return this.write(run, { ...base, answer, billed: false, cached: false });
    }
    const earlier = run.known.get(subject.key);
    if (earlier) {
      this.tally.duplicatesSaved++;
      return this.write(run, this.duplicate(base, earlier));
    }
    const running = run.inFlight.get(subject.key);
    if (running) {
      this.tally.duplicatesSaved++;
      // Not answered (a spent budget): left for the resume.
      const carried = running.then((first) => {
        if (first) this.write(run, this.duplicate(base, first));
      });
      return run.calls.track(carried);
    }
    await run.calls.room();
    if (this.stopReason || run.calls.failure) return;
    if (this.options.dryRun) {
      const answer = this.pool.intern(answerOf('would_verify'));
      run.known.set(subject.key, { answer, row: base.row });
      this.tally.count('would_verify');
      this.tally.wouldSend++;
      return;
    }
    const call = this.verifyRow(subject, base, run).then((done) => {
      run.inFlight.delete(subject.key);
      if (done) run.known.set(subject.key, done);
      return done;
    });
    run.inFlight.set(subject.key, call);
    run.calls.track(call);
  }

  private write(run: RunState, result: ResultRow): void {
    run.writer?.write(result);
    this.tally.count(result.answer.status);
  }

  private plain(row: number, answer: Answer): ResultRow {
    return {
      row,
      answer: this.pool.intern(answer),
      billed: false,
      cached: false,
      phoneMasked: '',
    };
  }

  private duplicate(base: RowBase, first: Known): ResultRow {
    return {
      ...base,
      answer: first.answer,
      billed: false,
      cached: true,
      duplicateOf: first.row,
    };
  }

  /** One identity's call, with the not-billed retries and the rate's pauses. */
  private async verifyRow(
    subject: Valid,
    base: RowBase,
    run: RunState,
  ): Promise<Known | undefined> {
    for (let attempt = 1; ; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      await this.pacer?.slot();
      // Stopping: rows not yet sent are left for the resume.
      if (this.stopReason) return undefined;
      run.checkpoint!.sending(base.row, subject.key);
      this.tally.calls++;
      const outcome = await this.verify!({
        name: subject.name,
        phone: subject.phone,
        idCard: subject.idCard,
      }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('error' in outcome) {
        const next = await this.afterError(outcome.error, attempt, base, run);
        if (next === 'again') continue;
        return next;
      }
      const { result } = outcome;
      if (
        meaningOfResultCode(result.code).retryable &&
        attempt < RETRIES_NOT_BILLED
      ) {
        await sleep(250 * attempt);
        continue;
      }
      return this.answered(result, base, run);
    }
  }

  /** What a failed call leads to: another attempt, a stop, or an error row. */
  private async afterError(
    error: unknown,
    attempt: number,
    base: RowBase,
    run: RunState,
  ): Promise<Known | undefined | 'again'> {
    if (!(error instanceof PhoneVerificationError)) throw error;
    if (error.code === 'budget_exhausted') {
      run.checkpoint!.notSent(base.row);
      this.stopReason ??= 'budget';
      return undefined;
    }
    if (
      error instanceof UpstreamRateLimitedError &&
      attempt < RETRIES_RATE_LIMITED
    ) {
      // AceData's own limit: slow everyone down instead of failing rows.
      this.pausedUntil = Math.max(
        this.pausedUntil,
        Date.now() + (error.retryAfterMs ?? 1000),
      );
      return 'again';
    }
    if (
      error.retryable &&
      !error.mayHaveBilled &&
      attempt < RETRIES_NOT_BILLED
    ) {
      await sleep(250 * attempt);
      return 'again';
    }
    const answer = this.pool.intern(
      answerOf('error', error.code, error.mayHaveBilled),
    );
    this.write(run, { ...base, answer, billed: false, cached: false });
    return { answer, row: base.row };
  }

  private answered(
    result: PhoneVerificationResult,
    base: RowBase,
    run: RunState,
  ): Known {
    const billed = chargedForThisCall(result);
    if (billed) this.tally.billed++;
    const answer = this.pool.intern({
      status: result.status,
      code: String(result.code),
      carrier: result.carrier,
      detail: result.detail ?? '',
      error: '',
      mayHaveBilled: false,
    });
    const cached = result.fromCache || result.shared;
    this.write(run, { ...base, answer, billed, cached });
    return { answer, row: base.row };
  }
}
