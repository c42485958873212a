import {
  chargedForThisCall,
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
import { readCsv } from '../input/csv-input.js';
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
import { Pacer } from './pacer.js';
import { KnownIdentities, type Known } from './known-identities.js';
import { dropUncertainRows, readPreviousOutput } from './previous-output.js';
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
    const { options } = this;
    const encoding = await resolveEncoding(options.input, options.encoding);
    if (options.retryUncertain && !options.dryRun) {
      await dropUncertainRows(options.out);
    }
    const previous = options.dryRun
      ? new Map<number, Answer>()
      : await readPreviousOutput(options.out, this.pool);
    const checkpoint = options.dryRun
      ? undefined
      : await Checkpoint.open(`${options.out}.checkpoint`);
    const secret = checkpoint?.state.secret ?? 'dry-run';
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
      : new ResultWriter(options.out, {
          idColumn: options.columns.id,
          includeInput: options.includeInput,
        });
    const inFlight = new Map<string, Promise<Known | undefined>>();
    const pending = new Set<Promise<unknown>>();
    // An unexpected failure (not an answer, not a library error) ends the
    // run once the calls in flight are done, and is rethrown.
    let failure: { error: unknown } | undefined;
    const track = (promise: Promise<unknown>) => {
      pending.add(promise);
      promise.then(
        () => pending.delete(promise),
        (error: unknown) => {
          pending.delete(promise);
          failure ??= { error };
        },
      );
    };
    const write = (result: ResultRow) => {
      writer?.write(result);
      this.tally.count(result.answer.status);
    };
    let columns: ColumnMap | undefined;
    try {
      for await (const line of readCsv(options.input, encoding)) {
        if (this.stopReason || failure) break;
        if ('header' in line) {
          columns = mapColumns(line.header, options.columns);
          continue;
        }
        if (previous.has(line.row)) {
          this.tally.resumed++;
          continue;
        }
        if ('malformed' in line) {
          this.tally.malformed++;
          write(
            this.plain(line.row, answerOf('malformed_line', line.malformed)),
          );
          continue;
        }
        const subject = subjectOf(line.fields, columns!, secret);
        const base = {
          row: line.row,
          id: columns!.id === undefined ? undefined : line.fields[columns!.id],
          phoneMasked: subject.phoneMasked,
          input: options.includeInput
            ? {
                name: line.fields[columns!.name],
                phone: line.fields[columns!.phone],
                idCard: line.fields[columns!.idCard],
              }
            : undefined,
        };
        if (!subject.valid) {
          this.tally.invalid++;
          write({
            ...base,
            answer: this.pool.intern(
              answerOf('invalid_input', subject.problems),
            ),
            billed: false,
            cached: false,
          });
          continue;
        }
        if (uncertain.has(line.row)) {
          this.tally.uncertain++;
          const answer = this.pool.intern(
            answerOf(
              'uncertain',
              'sent, but no answer arrived (the run was cut off)',
              true,
            ),
          );
          known.set(subject.key, { answer, row: line.row });
          write({ ...base, answer, billed: false, cached: false });
          continue;
        }
        const earlier = known.get(subject.key);
        if (earlier) {
          this.tally.duplicatesSaved++;
          write(this.duplicate(base, earlier));
          continue;
        }
        const running = inFlight.get(subject.key);
        if (running) {
          this.tally.duplicatesSaved++;
          track(
            running.then((first) => {
              // Not answered (a spent budget): left for the resume.
              if (first) write(this.duplicate(base, first));
            }),
          );
          continue;
        }
        while (pending.size >= options.concurrency)
          await Promise.race(pending).catch(() => undefined);
        if (this.stopReason || failure) break;
        if (options.dryRun) {
          known.set(subject.key, {
            answer: this.pool.intern(answerOf('would_verify')),
            row: line.row,
          });
          this.tally.count('would_verify');
          this.tally.wouldSend++;
          continue;
        }
        const call = this.verifyRow(subject, base, checkpoint!, write).then(
          (done) => {
            inFlight.delete(subject.key);
            if (done) known.set(subject.key, done);
            return done;
          },
        );
        inFlight.set(subject.key, call);
        track(call);
      }
      await Promise.allSettled(pending);
      if (failure) throw failure.error;
    } finally {
      writer?.close();
    }
    return this.stopReason ?? 'done';
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

  private duplicate(
    base: Omit<ResultRow, 'answer' | 'billed' | 'cached'>,
    first: Known,
  ): ResultRow {
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
    base: Omit<ResultRow, 'answer' | 'billed' | 'cached'>,
    checkpoint: Checkpoint,
    write: (result: ResultRow) => void,
  ): Promise<Known | undefined> {
    for (let attempt = 1; ; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      let result: PhoneVerificationResult;
      try {
        await this.pacer?.slot();
        // Stopping: rows not yet sent are left for the resume.
        if (this.stopReason) return undefined;
        checkpoint.sending(base.row, subject.key);
        this.tally.calls++;
        result = await this.verify!({
          name: subject.name,
          phone: subject.phone,
          idCard: subject.idCard,
        });
        if (
          (result.code === -2 || result.code === -3) &&
          attempt < RETRIES_NOT_BILLED
        ) {
          await sleep(250 * attempt);
          continue;
        }
      } catch (error) {
        if (!(error instanceof PhoneVerificationError)) throw error;
        if (error.code === 'budget_exhausted') {
          checkpoint.notSent(base.row);
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
          continue;
        }
        if (
          error.retryable &&
          !error.mayHaveBilled &&
          attempt < RETRIES_NOT_BILLED
        ) {
          await sleep(250 * attempt);
          continue;
        }
        const answer = this.pool.intern(
          answerOf('error', error.code, error.mayHaveBilled),
        );
        write({ ...base, answer, billed: false, cached: false });
        return { answer, row: base.row };
      }
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
      write({
        ...base,
        answer,
        billed,
        cached: result.fromCache || result.shared,
      });
      return { answer, row: base.row };
    }
  }
}
