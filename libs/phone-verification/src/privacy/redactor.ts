/** Replaces every occurrence of the given secrets in a text. */
export interface Redactor {
  (text: string): string;
  /**
   * Whether the text holds one of the secrets, or 8 characters of one in a
   * row (an ID number's birth date, most of a phone number): not merely a
   * long number.
   */
  secretsIn(text: string): boolean;
}

/** A part of a secret this long, found in a text, counts as the secret. */
const PART = 8;

/** Runs of 6+ digits (optionally ending in X) look like a phone or ID number. */
const LONG_NUMBER = /\d{6,}[\dXx]?/g;

/**
 * Builds a {@link Redactor} that removes the given values (a subject's name,
 * phone and ID number, the API token) and any long digit run from text that
 * came from outside, such as an upstream error message, before it is kept in
 * an error or a result.
 */
export function createRedactor(
  secrets: readonly (string | undefined)[],
): Redactor {
  const needles = [
    ...new Set(secrets.filter((s): s is string => !!s && s.length > 0)),
  ]
    // Longest first, so a value containing another is removed whole.
    .toSorted((a, b) => b.length - a.length);
  const redact = (text: string) => {
    let out = text;
    for (const needle of needles) {
      out = out.split(needle).join('[redacted]');
    }
    return out.replace(LONG_NUMBER, '[redacted]');
  };
  return Object.assign(redact, {
    secretsIn: (text: string) =>
      needles.some((needle) => {
        if (needle.length <= PART) return text.includes(needle);
        for (let i = 0; i + PART <= text.length; i++) {
          if (needle.includes(text.slice(i, i + PART))) return true;
        }
        return false;
      }),
  });
}
