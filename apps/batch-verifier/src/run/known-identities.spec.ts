import { randomBytes } from 'node:crypto';
import { AnswerPool, answerOf } from '../output/result-row.js';
import { KnownIdentities } from './known-identities.js';

describe('KnownIdentities', () => {
  it('keeps each identity’s row and answer through growth', () => {
    const pool = new AnswerPool();
    const answers = ['consistent', 'inconsistent', 'no_record'].map((s) =>
      pool.intern(answerOf(s)),
    );
    const known = new KnownIdentities(pool);
    const keys = Array.from({ length: 50_000 }, () =>
      randomBytes(16).toString('base64url'),
    );
    keys.forEach((key, row) =>
      known.set(key, { row: row + 1, answer: answers[row % 3] }),
    );
    keys.forEach((key, row) =>
      expect(known.get(key)).toEqual({
        row: row + 1,
        answer: answers[row % 3],
      }),
    );
    expect(known.get(randomBytes(16).toString('base64url'))).toBeUndefined();
  });

  it('an identity set again keeps one entry with the latest answer', () => {
    const pool = new AnswerPool();
    const known = new KnownIdentities(pool);
    const key = randomBytes(16).toString('base64url');
    known.set(key, { row: 3, answer: pool.intern(answerOf('uncertain')) });
    known.set(key, { row: 9, answer: pool.intern(answerOf('consistent')) });
    expect(known.get(key)).toMatchObject({
      row: 9,
      answer: { status: 'consistent' },
    });
  });
});
