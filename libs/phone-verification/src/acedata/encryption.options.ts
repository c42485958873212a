import type { EncryptableField } from '../dto/phone-verification-request.js';
import { ENCRYPTABLE_FIELDS } from '../dto/phone-verification-request.js';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';

/** Send chosen fields encrypted (AES-256-CBC) under the app's data key. */
export interface EncryptionOptions {
  /** The 32-byte data key: a Buffer, or its base64. A secret. */
  dataKey: string | Buffer;
  /** The data key wrapped by AceData's key service, sent as `ciphertext_blob`. */
  ciphertextBlob: string;
  /** Which fields to encrypt. Default all three. */
  fields?: EncryptableField[];
}

/** Encryption after validation. */
export interface ResolvedEncryptionOptions {
  readonly dataKey: Buffer;
  readonly ciphertextBlob: string;
  readonly fields: readonly EncryptableField[];
}

/** Validates `encryption`; `false` when it is off. */
export function resolveEncryption(
  encryption: EncryptionOptions | undefined,
): ResolvedEncryptionOptions | false {
  if (encryption === undefined) return false;
  const key = Buffer.isBuffer(encryption.dataKey)
    ? encryption.dataKey
    : Buffer.from(String(encryption.dataKey ?? ''), 'base64');
  if (key.length !== 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.dataKey',
      'must be 32 bytes (a Buffer, or its base64)',
    );
  }
  if (
    typeof encryption.ciphertextBlob !== 'string' ||
    encryption.ciphertextBlob.trim() === ''
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.ciphertextBlob',
      'is required with encryption',
    );
  }
  const fields = encryption.fields ?? ENCRYPTABLE_FIELDS;
  if (
    fields.length === 0 ||
    fields.some((f) => !ENCRYPTABLE_FIELDS.includes(f))
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'encryption.fields',
      `must list some of: ${ENCRYPTABLE_FIELDS.join(', ')}`,
    );
  }
  return {
    dataKey: key,
    ciphertextBlob: encryption.ciphertextBlob.trim(),
    fields: [...new Set(fields)],
  };
}
