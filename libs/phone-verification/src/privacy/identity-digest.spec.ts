import { createHmac, hkdfSync } from 'node:crypto';
import { identityDigest, legacyIdentityDigest } from './identity-digest.js';

const SECRET = 'a-secret-of-at-least-32-characters-long';
const PERSON = ['张三', '13800000000', '11010519491231002X'];

describe('identityDigest, the one way a person is digested', () => {
  it('is HMAC-SHA256 of the fields joined by U+0000 under the use’s HKDF-SHA256 key', () => {
    // Pinned: changing it would lose every cache entry, erasure match and
    // resume key already written.
    const key = Buffer.from(
      hkdfSync('sha256', SECRET, '', 'acedata-check-3e/subject/v2', 32),
    );
    const expected = createHmac('sha256', key)
      .update(PERSON.join('\u0000'))
      .digest('hex');
    expect(identityDigest(SECRET, 'subject', PERSON).toString('hex')).toBe(
      expected,
    );
  });

  it('gives each use its own digest of the same person under one secret', () => {
    const digests = (['answer', 'subject', 'batch'] as const).map((use) =>
      identityDigest(SECRET, use, PERSON).toString('hex'),
    );
    digests.push(legacyIdentityDigest(SECRET, PERSON).toString('hex'));
    expect(new Set(digests).size).toBe(4);
  });

  it('depends on the secret and on every field, and is the same each time', () => {
    const once = identityDigest(SECRET, 'answer', PERSON).toString('hex');
    expect(identityDigest(SECRET, 'answer', PERSON).toString('hex')).toBe(once);
    expect(
      identityDigest(`${SECRET}!`, 'answer', PERSON).toString('hex'),
    ).not.toBe(once);
    expect(
      identityDigest(SECRET, 'answer', [
        '张三',
        '13800000001',
        PERSON[2],
      ]).toString('hex'),
    ).not.toBe(once);
    // The separator keeps field boundaries: no two splits collide.
    expect(
      identityDigest(SECRET, 'answer', [
        '张',
        '三13800000000',
        PERSON[2],
      ]).toString('hex'),
    ).not.toBe(once);
  });

  it('keeps the legacy digest as it was: HMAC-SHA256 under the secret itself', () => {
    expect(legacyIdentityDigest(SECRET, PERSON).toString('hex')).toBe(
      createHmac('sha256', SECRET).update(PERSON.join('\u0000')).digest('hex'),
    );
  });
});
