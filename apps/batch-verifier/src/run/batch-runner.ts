import type { ColumnChoice } from '../input/columns.js';
import { readCsv } from '../input/csv-input.js';
import { resolveEncoding, type EncodingChoice } from '../input/encoding.js';
import { AnswerPool, answerOf, type ResultRow } from '../output/result-row.js';
import { ResultWriter } from '../output/result-writer.js';
import { BatchTally } from './batch-tally.js';
import { CallScheduler, type VerifyFn } from './call-scheduler.js';
import { openResumeState, type ResumeState } from './resume-state.js';
import { RowClassifier, type RowPlan } from './row-classifier.js';

export type { VerifyFn } from './call-scheduler.js';

/** What a batch run is told. */
export interface BatchRunOptions {
  readonly input: string;
  readonly out: string;
  /** Upstream calls per second at most (the library's pacing does it). */
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

/**
 * Verifies a CSV of people, streaming, writing one output row per input row
 * as it goes: each line is classified (`RowClassifier`: what an earlier run
 * left, bad input, duplicates), the identities to send go through the
 * `CallScheduler` (concurrency, one call per identity, the library's
 * retries and pacing), and every row ends in the `ResultWriter`. Never pays
 * twice: a duplicate identity costs one call, rows already answered are
 * not redone on a rerun, and a row sent but never answered (the process
 * was killed mid-call) is written `uncertain` instead of being sent again,
 * unless `retryUncertain`.
 */
export class BatchRunner {
  readonly tally = new BatchTally();
  private readonly pool = new AnswerPool();
  private interrupted = false;

  /** `verify` is the library's; none in a dry run. */
  constructor(
    private readonly options: BatchRunOptions,
    private readonly verify: VerifyFn | undefined,
  ) {}

  /** Ctrl-C: take no new rows, send nothing more, finish the calls already sent. */
  interrupt(): void {
    this.interrupted = true;
  }

  async run(): Promise<BatchOutcome> {
    const { options } = this;
    const encoding = await resolveEncoding(options.input, options.encoding);
    const resume = await openResumeState(options, this.pool);
    const classifier = new RowClassifier(
      options.columns,
      options.includeInput,
      resume,
      this.pool,
    );
    const writer = options.dryRun
      ? undefined
      : new ResultWriter(
          options.out,
          { idColumn: options.columns.id, includeInput: options.includeInput },
          options.concurrency,
        );
    const write = (row: ResultRow) => {
      writer?.write(row);
      this.tally.count(row.answer.status);
    };
    const scheduler = this.verify
      ? new CallScheduler({
          verify: this.verify,
          concurrency: options.concurrency,
          checkpoint: resume.checkpoint!,
          known: resume.known,
          pool: this.pool,
          tally: this.tally,
          write,
          interrupted: () => this.interrupted,
        })
      : undefined;
    try {
      for await (const line of readCsv(options.input, encoding)) {
        if (this.interrupted || scheduler?.budgetExhausted) break;
        if (scheduler?.failure) break;
        try {
          await this.take(classifier.classify(line), write, resume, scheduler);
        } catch (error) {
          if (!scheduler) throw error;
          // Not at once: the answers of the calls in flight are written first.
          scheduler.fail(error);
          break;
        }
      }
      await scheduler?.drain();
    } finally {
      writer?.close();
    }
    if (scheduler?.budgetExhausted) return 'budget';
    return this.interrupted ? 'interrupted' : 'done';
  }

  /** Acts on one line's plan: count it, write it, or send it. */
  private async take(
    plan: RowPlan,
    write: (row: ResultRow) => void,
    resume: ResumeState,
    scheduler: CallScheduler | undefined,
  ): Promise<void> {
    const { tally } = this;
    switch (plan.kind) {
      case 'header':
        return;
      case 'resumed':
        tally.resumed++;
        return;
      case 'written':
        if (plan.why === 'duplicate') tally.duplicatesSaved++;
        else if (plan.why === 'malformed') tally.malformed++;
        else if (plan.why === 'invalid') tally.invalid++;
        else tally.uncertain++;
        return write(plan.row);
      case 'send':
        if (scheduler) return scheduler.schedule(plan.subject, plan.base);
        // A dry run: this identity would be sent once.
        resume.known.set(plan.subject.key, {
          answer: this.pool.intern(answerOf('would_verify')),
          row: plan.base.row,
        });
        tally.count('would_verify');
        tally.wouldSend++;
    }
  }
}
