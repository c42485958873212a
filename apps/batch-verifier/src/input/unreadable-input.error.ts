/**
 * The input cannot be read as a CSV of people: binary content, a header
 * that is not CSV. `reason` names the problem, never the file's content.
 */
export class UnreadableInputError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnreadableInputError';
  }
}
