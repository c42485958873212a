import { createHmac, hkdfSync } from 'node:crypto';

/**
 * What a digest of a person is for; each use has its own key.
 *
 * - `answer`: name, phone, ID number and verify mode: the cache's and the
 *   single flight's keys, under `redis.secret` (else `cache.secret`, else a
 *   secret of the process's own);
 * - `subject`: name, phone and ID number: the usage ledger's subject, which
 *   erasure finds, under `ledger.secret`;
 * - `batch`: name, phone and ID number: a batch run's duplicate and resume
 *   keys, under the run's own secret (kept in its checkpoint).
 */
export type DigestUse = 'answer' | 'subject' | 'batch';

/** Derived keys by use and secret: HKDF once per secret, not per digest. */
const derivedKeys = new Map<string, Buffer>();

function keyFor(secret: string, use: DigestUse): Buffer {
  const id = `${use}\u0000${secret}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = Buffer.from(
      hkdfSync('sha256', secret, '', `acedata-check-3e/${use}/v2`, 32),
    );
    // A few secrets live at once (the instance's, a batch run's): a bound
    // only against a caller making a new one per digest.
    if (derivedKeys.size >= 64) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  return key;
}

/** The fields joined by U+0000, which no validated field can hold. */
const joined = (fields: readonly string[]) => fields.join('\u0000');

/**
 * The one way every digest of a person is made: HMAC-SHA256 of the
 * normalised fields joined by U+0000, under a key derived for its use from
 * the secret with HKDF-SHA256 (RFC 5869: no salt, info
 * `acedata-check-3e/<use>/v2`, 32 bytes). A digest made for one use matches
 * none made for another, even under one secret; set one secret
 * (`PHONE_VERIFICATION_KEY_SECRET`) and the others default to it.
 */
export function identityDigest(
  secret: string,
  use: DigestUse,
  fields: readonly string[],
): Buffer {
  return createHmac('sha256', keyFor(secret, use))
    .update(joined(fields))
    .digest();
}

/**
 * How digests were made up to 0.1 (HMAC-SHA256 under the secret itself,
 * the same key for every use), read only: so that a cached answer, a
 * ledger row kept for erasure and a batch checkpoint written before the
 * upgrade are still found. Never used for what is written now.
 */
export function legacyIdentityDigest(
  secret: string,
  fields: readonly string[],
): Buffer {
  return createHmac('sha256', secret).update(joined(fields)).digest();
}
