import type {
  EncryptableField,
  PhoneVerificationRequest,
} from '../dto/phone-verification-request.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';
import type { ResolvedEncryptionOptions } from './encryption.options.js';
import {
  VERIFY_MODE_WIRE_VALUES,
  WIRE_FIELD_NAMES,
  type Check3eWireEncryptableField,
  type Check3eWireRequest,
  type Check3eWireVerifyMode,
} from './check-3e.wire.js';
import { encryptField, generateIv } from './field-encryption.js';

/** A request body in AceData's shape, as an app's client may send it. */
export interface Check3eWireRequestInput {
  name: string;
  phone: string;
  id_card: string;
  verify_mode?: Check3eWireVerifyMode;
  encrypt_list?: Check3eWireEncryptableField[];
  ciphertext_blob?: string;
  iv?: string;
}

const FIELD_BY_WIRE_NAME = Object.fromEntries(
  Object.entries(WIRE_FIELD_NAMES).map(([field, wire]) => [wire, field]),
) as Readonly<Record<Check3eWireEncryptableField, EncryptableField>>;

/**
 * The library's request for a body in AceData's shape (snake_case,
 * `verify_mode` `"0"`/`"1"`/`0`/`1`, `encrypt_list`), for apps that accept
 * AceData's own API. Encryption fields are never dropped: an incomplete
 * set is passed on for `verify()` to reject rather than sent as plain text.
 */
export function decodeCheck3eRequest(
  body: Check3eWireRequestInput,
): PhoneVerificationRequest {
  const mode = body.verify_mode;
  return {
    name: body.name,
    phone: body.phone,
    idCard: body.id_card,
    ...(mode === undefined
      ? {}
      : {
          verifyMode:
            `${mode}` === VERIFY_MODE_WIRE_VALUES.detailed
              ? 'detailed'
              : 'short',
        }),
    ...(body.encrypt_list === undefined
      ? {}
      : {
          encrypted: {
            fields: body.encrypt_list.map((f) => FIELD_BY_WIRE_NAME[f]),
            ciphertextBlob: body.ciphertext_blob ?? '',
            iv: body.iv ?? '',
          },
        }),
  };
}

/**
 * The body to send for a validated request. Fields the caller encrypted
 * pass through with their `encrypt_list`/`ciphertext_blob`/`iv`; otherwise,
 * with module encryption on, the chosen fields are encrypted under a fresh IV.
 */
export function encodeCheck3eRequest(
  request: NormalizedVerificationRequest,
  encryption: ResolvedEncryptionOptions | false,
): Check3eWireRequest {
  const body: Check3eWireRequest = {
    name: request.name,
    phone: request.phone,
    id_card: request.idCard,
    verify_mode: VERIFY_MODE_WIRE_VALUES[request.verifyMode],
  };
  if (request.encrypted) {
    body.encrypt_list = request.encrypted.fields.map(
      (f) => WIRE_FIELD_NAMES[f],
    );
    body.ciphertext_blob = request.encrypted.ciphertextBlob;
    body.iv = request.encrypted.iv;
  } else if (encryption) {
    const iv = generateIv();
    for (const field of encryption.fields) {
      const wireName = WIRE_FIELD_NAMES[field];
      body[wireName] = encryptField(body[wireName], encryption.dataKey, iv);
    }
    body.encrypt_list = encryption.fields.map((f) => WIRE_FIELD_NAMES[f]);
    body.ciphertext_blob = encryption.ciphertextBlob;
    body.iv = iv;
  }
  return body;
}
