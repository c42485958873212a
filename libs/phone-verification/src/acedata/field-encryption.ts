import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto';

/**
 * AceData's optional field encryption: AES-256-CBC with PKCS#7 padding under
 * a 32-byte data key; each listed field is replaced by the base64 of its
 * ciphertext; `ciphertext_blob` carries the data key wrapped by the
 * provider's key service; `iv` is the IV.
 *
 * The published docs disagree on the IV's form (16 raw characters, or
 * base64). This is the one place that decides: the IV travels as 16 printable
 * ASCII characters, whose 16 bytes are the CBC IV. Change it here only.
 */
export const IV_LENGTH = 16;
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
  if (!/^[\x21-\x7e]{16}$/.test(iv)) return undefined;
  return Buffer.from(iv, 'latin1');
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

/** Decrypts one field from the wire (what the provider, or the sandbox, does). */
export function decryptField(
  ciphertext: string,
  dataKey: Buffer,
  iv: string,
): string {
  const bytes = ivBytes(iv);
  if (!bytes) throw new Error('invalid IV');
  const decipher = createDecipheriv('aes-256-cbc', dataKey, bytes);
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}
