import {
  mapColumns,
  type ColumnChoice,
  type ColumnMap,
} from '../input/columns.js';
import type { InputLine } from '../input/csv-input.js';
import {
  answerOf,
  duplicateRow,
  type AnswerPool,
  type ResultRow,
  type RowBase,
} from '../output/result-row.js';
import type { ResumeState } from './resume-state.js';
import { subjectOf, type Subject } from './subject.js';

/** A valid subject, ready to send. */
export type ValidSubject = Extract<Subject, { valid: true }>;

/** What one input line comes to before any call. */
export type RowPlan =
  /** The header: the columns are mapped. */
  | { readonly kind: 'header' }
  /** Answered by an earlier run: nothing to do. */
  | { readonly kind: 'resumed' }
  /** Written at once, without a call. */
  | {
      readonly kind: 'written';
      readonly why: 'malformed' | 'invalid' | 'uncertain' | 'duplicate';
      readonly row: ResultRow;
    }
  /** A valid identity with no answer yet: to be sent. */
  | {
      readonly kind: 'send';
      readonly subject: ValidSubject;
      readonly base: RowBase;
    };

/**
 * Decides what each input line is: the header, a row an earlier run
 * answered, a malformed line, invalid input (by the library's own rules,
 * so nothing the API would reject is sent), a row an earlier run sent but
 * never saw answered (`uncertain`: it may have been billed), the duplicate
 * of an identity already answered, or an identity to send.
 */
export class RowClassifier {
  private columns?: ColumnMap;

  constructor(
    private readonly choice: ColumnChoice,
    private readonly includeInput: boolean,
    private readonly resume: ResumeState,
    private readonly pool: AnswerPool,
  ) {}

  classify(line: InputLine): RowPlan {
    if ('header' in line) {
      this.columns = mapColumns(line.header, this.choice);
      return { kind: 'header' };
    }
    if (this.resume.previous.has(line.row)) return { kind: 'resumed' };
    if ('malformed' in line) {
      const answer = this.pool.intern(
        answerOf('malformed_line', line.malformed),
      );
      const row = {
        row: line.row,
        answer,
        billed: false,
        cached: false,
        phoneMasked: '',
      };
      return { kind: 'written', why: 'malformed', row };
    }
    const columns = this.columns!;
    const subject = subjectOf(line.fields, columns, this.resume.keying);
    const base: RowBase = {
      row: line.row,
      id: columns.id === undefined ? undefined : line.fields[columns.id],
      phoneMasked: subject.phoneMasked,
      input: this.includeInput
        ? {
            name: line.fields[columns.name],
            phone: line.fields[columns.phone],
            idCard: line.fields[columns.idCard],
          }
        : undefined,
    };
    if (!subject.valid) {
      const answer = this.pool.intern(
        answerOf('invalid_input', subject.problems),
      );
      const row = { ...base, answer, billed: false, cached: false };
      return { kind: 'written', why: 'invalid', row };
    }
    return this.classifySubject(subject, base);
  }

  private classifySubject(subject: ValidSubject, base: RowBase): RowPlan {
    const { known } = this.resume;
    if (this.resume.uncertain.has(base.row)) {
      const answer = this.pool.intern(
        answerOf(
          'uncertain',
          'sent, but no answer arrived (the run was cut off)',
          true,
        ),
      );
      // Its duplicates carry it too: sending them could pay twice.
      known.set(subject.key, { answer, row: base.row });
      const row = { ...base, answer, billed: false, cached: false };
      return { kind: 'written', why: 'uncertain', row };
    }
    const earlier = known.get(subject.key);
    if (earlier) {
      return {
        kind: 'written',
        why: 'duplicate',
        row: duplicateRow(base, earlier),
      };
    }
    return { kind: 'send', subject, base };
  }
}
