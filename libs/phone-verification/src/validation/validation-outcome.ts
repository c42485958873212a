/**
 * What a pure validator returns: the normalised value when the input is
 * acceptable, or the reason it is not. Reasons never quote the input, so they
 * are safe to put in an error message or a log line.
 */
export type ValidationOutcome =
  | { readonly valid: true; readonly value: string }
  | { readonly valid: false; readonly reason: string };

/** Builds a rejected {@link ValidationOutcome}. */
export function rejected(reason: string): ValidationOutcome {
  return { valid: false, reason };
}

/** Builds an accepted {@link ValidationOutcome}. */
export function accepted(value: string): ValidationOutcome {
  return { valid: true, value };
}

/**
 * Maps full-width digits and letters (as typed with a Chinese IME or copied
 * from a Chinese form) to ASCII. NFKC does exactly that for the ranges that
 * matter here and nothing surprising for digits.
 */
export function toHalfWidth(input: string): string {
  return input.normalize('NFKC');
}
