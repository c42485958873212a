/** What a row's verification came to, as written to the output. */
export interface Answer {
  /** A result status, or `error`, `uncertain`, `invalid_input`, `malformed_line`. */
  readonly status: string;
  readonly code: string;
  readonly carrier: string;
  readonly detail: string;
  readonly error: string;
  readonly mayHaveBilled: boolean;
}

/** One output row. */
export interface ResultRow {
  readonly row: number;
  readonly id?: string;
  readonly answer: Answer;
  /** This row was charged (a billed code fetched for it, not shared or cached). */
  readonly billed: boolean;
  /** Answered from the cache or shared with an identical call in flight elsewhere. */
  readonly cached: boolean;
  /** The earlier row of the same identity whose answer this row carries. */
  readonly duplicateOf?: number;
  readonly phoneMasked: string;
  /** Only with `--include-input`. */
  readonly input?: { name: string; phone: string; idCard: string };
}

/** An answer without a call: bad input, a malformed line, an unknown outcome. */
export function answerOf(
  status: string,
  error = '',
  mayHaveBilled = false,
): Answer {
  return { status, code: '', carrier: '', detail: '', error, mayHaveBilled };
}

/**
 * Answers are few and repeat (a status, a code, a carrier): one object per
 * distinct answer keeps a million-row run's memory flat.
 */
export class AnswerPool {
  private readonly pool = new Map<string, Answer>();
  private readonly answers: Answer[] = [];
  private readonly indexes = new Map<Answer, number>();

  intern(answer: Answer): Answer {
    const key = JSON.stringify(answer);
    const known = this.pool.get(key);
    if (known) return known;
    this.pool.set(key, answer);
    this.indexes.set(answer, this.answers.length);
    this.answers.push(answer);
    return answer;
  }

  /** The index of an interned answer. */
  indexOf(answer: Answer): number {
    return this.indexes.get(answer) ?? this.indexes.get(this.intern(answer))!;
  }

  /** The interned answer at an index. */
  at(index: number): Answer {
    return this.answers[index];
  }
}

/** What every output row of a subject has, whatever its answer. */
export type RowBase = Omit<ResultRow, 'answer' | 'billed' | 'cached'>;

/** A later row of an identity, carrying the answer of the row that paid for it. */
export function duplicateRow(
  base: RowBase,
  first: { readonly answer: Answer; readonly row: number },
): ResultRow {
  return {
    ...base,
    answer: first.answer,
    billed: false,
    cached: true,
    duplicateOf: first.row,
  };
}
