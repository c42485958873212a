import { createCipheriv, randomInt } from 'node:crypto';
import { IV_LENGTH, validateIv } from '../validation/iv.js';

/**
 * AceData's optional field encryption: AES-256-CBC with PKCS#7 padding under
 * a 32-byte data key; each listed field is replaced by the base64 of its
 * ciphertext; `ciphertext_blob` carries the data key wrapped by the
 * provider's key service; `iv` is the IV.
 * The IV's wire form is decided by `validateIv` (validation/iv.ts).
 */
const IV_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh random IV in its wire form; never reuse one under the same key. */
export function generateIv(): string {
  let iv = '';
  for (let i = 0; i < IV_LENGTH; i++)
    iv += IV_ALPHABET[randomInt(IV_ALPHABET.length)];
  return iv;
}

/** The IV's bytes, from its wire form; undefined when it is not a valid IV. */
export function ivBytes(iv: string): Buffer | undefined {
  return validateIv(iv).valid ? Buffer.from(iv, 'latin1') : undefined;
}

/** Encrypts one field's value for the wire. */
export function encryptField(
  plaintext: string,
  dataKey: Buffer,
  iv: string,
): string {
  const bytes = ivBytes(iv);
  if (!bytes) throw new Error('invalid IV');
  const cipher = createCipheriv('aes-256-cbc', dataKey, bytes);
  return Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
  ]).toString('base64');
}
