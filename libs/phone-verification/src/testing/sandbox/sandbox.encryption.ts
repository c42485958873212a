import { createDecipheriv, createHash } from 'node:crypto';

/**
 * The sandbox's test data key (32 bytes, base64) and its "wrapped" form to
 * send as `ciphertext_blob`. Published in the README, like a test card
 * number: never use it for real data.
 */
export const SANDBOX_TEST_DATA_KEY = createHash('sha256')
  .update('acedata-sandbox-test-data-key')
  .digest()
  .toString('base64');
/** The sandbox test key's wrapped form, to send as `ciphertext_blob`. */
export const SANDBOX_TEST_CIPHERTEXT_BLOB = Buffer.from(
  'sandbox-wrapped-test-key',
).toString('base64');

const WIRE_FIELDS = ['name', 'phone', 'id_card'] as const;
type WireField = (typeof WIRE_FIELDS)[number];

/** Why a request's encryption could not be undone, for the 400 answer. */
export class SandboxDecryptionError extends Error {}

/**
 * Undoes AceData's field encryption the way the provider would, written
 * independently of the library so a round trip proves the library right:
 * AES-256-CBC, PKCS#7, the IV as its 16 characters' bytes.
 */
export function decryptFields(
  body: Record<string, unknown>,
): Record<string, unknown> {
  const list = body.encrypt_list;
  if (
    list === undefined &&
    body.ciphertext_blob === undefined &&
    body.iv === undefined
  )
    return body;
  if (
    !Array.isArray(list) ||
    list.some((f) => !WIRE_FIELDS.includes(f as WireField))
  ) {
    throw new SandboxDecryptionError(
      'encrypt_list must list name, phone or id_card',
    );
  }
  if (body.ciphertext_blob !== SANDBOX_TEST_CIPHERTEXT_BLOB) {
    throw new SandboxDecryptionError(
      'unknown ciphertext_blob (use the sandbox test key)',
    );
  }
  if (
    typeof body.iv !== 'string' ||
    Buffer.byteLength(body.iv, 'latin1') !== 16 ||
    body.iv.length !== 16
  ) {
    throw new SandboxDecryptionError('iv must be 16 characters');
  }
  const key = Buffer.from(SANDBOX_TEST_DATA_KEY, 'base64');
  const iv = Buffer.from(body.iv, 'latin1');
  const plain: Record<string, unknown> = { ...body };
  for (const field of list as WireField[]) {
    const value = body[field];
    if (typeof value !== 'string')
      throw new SandboxDecryptionError(`${field} must be base64 ciphertext`);
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, iv);
      plain[field] = Buffer.concat([
        decipher.update(Buffer.from(value, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SandboxDecryptionError(`${field} could not be decrypted`);
    }
  }
  return plain;
}
