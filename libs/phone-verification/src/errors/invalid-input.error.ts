import { PhoneVerificationError } from './phone-verification.error.js';

/** One rejected field: its name and a sentence saying why, never its value. */
export interface FieldProblem {
  readonly field: string;
  /** A sentence that starts with the field's name, e.g. `phone must not be empty`. */
  readonly message: string;
}

/**
 * The input was rejected locally, before any (billable) upstream call. The
 * message names each field and the reason; it never quotes the value.
 */
export class InvalidInputError extends PhoneVerificationError {
  readonly code = 'invalid_input' as const;
  readonly problems: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[]) {
    super(problems.map((p) => p.message).join('; ') || 'invalid input', {
      retryable: false,
      mayHaveBilled: false,
    });
    this.problems = problems;
  }

  /** The rejected field names. */
  get fields(): string[] {
    return this.problems.map((p) => p.field);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}
