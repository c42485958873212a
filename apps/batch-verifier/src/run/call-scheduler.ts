import {
  chargedForThisCall,
  mayHaveChargedThisCall,
  PhoneVerificationError,
  type PhoneVerificationRequest,
  type PhoneVerificationResult,
  type VerifyOptions,
} from '@app/phone-verification';
import {
  answerOf,
  duplicateRow,
  type AnswerPool,
  type ResultRow,
  type RowBase,
} from '../output/result-row.js';
import type { BatchTally } from './batch-tally.js';
import type { Checkpoint } from './checkpoint.js';
import { InFlightCalls } from './in-flight-calls.js';
import type { Known, KnownIdentities } from './known-identities.js';
import type { ValidSubject } from './row-classifier.js';

/** The library's `verify()`, as the runner calls it. */
export type VerifyFn = (
  request: PhoneVerificationRequest,
  options?: VerifyOptions,
) => Promise<PhoneVerificationResult>;

/** Thrown from `onAttempt` when the run stops before a row was sent: nothing is sent. */
class StoppedBeforeSending extends Error {}

/** What the scheduler needs of the run. */
export interface CallSchedulerContext {
  readonly verify: VerifyFn;
  readonly concurrency: number;
  readonly checkpoint: Checkpoint;
  readonly known: KnownIdentities;
  readonly pool: AnswerPool;
  readonly tally: BatchTally;
  /** Writes a row to the output (and counts it). */
  readonly write: (row: ResultRow) => void;
  /** Whether the run was interrupted: a row not yet sent is left for the resume. */
  readonly interrupted: () => boolean;
}

/**
 * The batch's calls: at most `concurrency` in flight, one per identity (a
 * duplicate of an identity in flight waits for its answer instead of paying
 * again), each through the library's `verify()`, whose retry policy, pacing
 * and budget are the only ones. The checkpoint records a row as sent right
 * before its request leaves (`onAttempt`), so a row still waiting for its
 * pacing slot when the run is cut off is not taken for possibly billed, and
 * one still waiting when the run stops is not sent at all.
 */
export class CallScheduler {
  private readonly calls: InFlightCalls;
  /** Identities whose call is in flight, for their duplicates to wait on. */
  private readonly inFlight = new Map<string, Promise<Known | undefined>>();
  private budgetSpent = false;

  constructor(private readonly run: CallSchedulerContext) {
    this.calls = new InFlightCalls(run.concurrency);
  }

  /** A spent budget stopped the run. */
  get budgetExhausted(): boolean {
    return this.budgetSpent;
  }

  /** The first unexpected failure of a call (not an answer, not a library error). */
  get failure(): { error: unknown } | undefined {
    return this.calls.failure;
  }

  /** Records a failure met outside a call (writing a row without one). */
  fail(error: unknown): void {
    this.calls.fail(error);
  }

  /** Sends `subject`, or joins its call in flight; resolves once there is room for another. */
  async schedule(subject: ValidSubject, base: RowBase): Promise<void> {
    const running = this.inFlight.get(subject.key);
    if (running) {
      this.run.tally.duplicatesSaved++;
      // Not answered (a stop, a spent budget): left for the resume.
      const carried = running.then((first) => {
        if (first) this.run.write(duplicateRow(base, first));
      });
      return this.calls.track(carried);
    }
    await this.calls.room();
    if (this.stopping() || this.calls.failure) return;
    const call = this.send(subject, base).then((done) => {
      this.inFlight.delete(subject.key);
      if (done) this.run.known.set(subject.key, done);
      return done;
    });
    this.inFlight.set(subject.key, call);
    this.calls.track(call);
  }

  /** Stopping (interrupted, or a spent budget): rows not yet sent are left for the resume. */
  private stopping(): boolean {
    return this.budgetSpent || this.run.interrupted();
  }

  /** Waits for every call, then rethrows the first unexpected failure. */
  drain(): Promise<void> {
    return this.calls.drain();
  }

  /** One identity's `verify()`; its answer, or `undefined` when it was not sent. */
  private async send(
    subject: ValidSubject,
    base: RowBase,
  ): Promise<Known | undefined> {
    const { run } = this;
    let sent = false;
    const onAttempt = () => {
      if (!sent) {
        if (this.stopping()) throw new StoppedBeforeSending();
        run.checkpoint.sending(base.row, subject.key);
        sent = true;
      }
      run.tally.callStarted();
    };
    const request = {
      name: subject.name,
      phone: subject.phone,
      idCard: subject.idCard,
    };
    let result: PhoneVerificationResult;
    try {
      result = await run.verify(request, { onAttempt });
    } catch (error) {
      if (error instanceof StoppedBeforeSending) return undefined;
      return this.failed(error, base);
    }
    const billed = chargedForThisCall(result);
    if (billed) run.tally.billed++;
    const answer = run.pool.intern({
      status: result.status,
      code: String(result.code),
      carrier: result.carrier,
      detail: result.detail ?? '',
      error: '',
      mayHaveBilled: mayHaveChargedThisCall(result),
    });
    const cached = result.fromCache || result.shared;
    run.write({ ...base, answer, billed, cached });
    return { answer, row: base.row };
  }

  /** A failed `verify()`: a stop on a spent budget, else an error row. */
  private failed(error: unknown, base: RowBase): Known | undefined {
    if (!(error instanceof PhoneVerificationError)) throw error;
    if (error.code === 'budget_exhausted') {
      // Refused before sending: left for the resume.
      this.budgetSpent = true;
      return undefined;
    }
    const answer = this.run.pool.intern(
      answerOf('error', error.code, error.mayHaveBilled),
    );
    this.run.write({ ...base, answer, billed: false, cached: false });
    return { answer, row: base.row };
  }
}
