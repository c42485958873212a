import { validateIv } from './iv.js';
import {
  ENCRYPTABLE_FIELDS,
  VERIFY_MODE_ALIASES,
  VERIFY_MODE_INPUTS,
  VERIFY_MODES,
  type EncryptedFields,
  type PhoneVerificationRequest,
  type VerifyMode,
} from '../dto/phone-verification-request.js';
import { validateCiphertext } from './ciphertext.js';
import {
  InvalidInputError,
  type FieldProblem,
} from '../errors/invalid-input.error.js';
import { validateIdCard } from './id-card.js';
import { validateMobile } from './mobile.js';
import { validatePersonName } from './person-name.js';

function problem(field: string, reason: string): FieldProblem {
  return { field, message: `${field} ${reason}` };
}

/** A request after normalisation and validation: safe to send upstream. */
export interface NormalizedVerificationRequest {
  readonly name: string;
  readonly phone: string;
  readonly idCard: string;
  readonly verifyMode: VerifyMode;
  /** Fields the caller encrypted, passed through unvalidated. */
  readonly encrypted?: EncryptedFields;
}

function validateEncrypted(
  encrypted: unknown,
  problems: FieldProblem[],
): EncryptedFields | undefined {
  if (encrypted === undefined) return undefined;
  const e = encrypted as Partial<EncryptedFields> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    !Array.isArray(e.fields) ||
    e.fields.length === 0 ||
    e.fields.some((f) => !ENCRYPTABLE_FIELDS.includes(f)) ||
    new Set(e.fields).size !== e.fields.length
  ) {
    problems.push(
      problem(
        'encrypted.fields',
        `must list some of: ${ENCRYPTABLE_FIELDS.join(', ')}`,
      ),
    );
    return undefined;
  }
  if (
    typeof e.ciphertextBlob !== 'string' ||
    e.ciphertextBlob.length === 0 ||
    e.ciphertextBlob.length > 4096
  ) {
    problems.push(
      problem('encrypted.ciphertextBlob', 'must be the wrapped data key'),
    );
  }
  const iv = validateIv(e.iv);
  if (!iv.valid) problems.push(problem('encrypted.iv', iv.reason));
  return e as EncryptedFields;
}

/**
 * Normalises and validates every field, and throws one
 * {@link InvalidInputError} naming all bad fields, so nothing the upstream
 * would reject (and nothing it might bill) is sent.
 */
export function normalizeVerificationRequest(
  request: PhoneVerificationRequest,
  defaultVerifyMode: VerifyMode,
  now: Date = new Date(),
): NormalizedVerificationRequest {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidInputError([problem('request', 'must be an object')]);
  }
  const problems: FieldProblem[] = [];
  const encrypted = validateEncrypted(request.encrypted, problems);
  const isEncrypted = (field: (typeof ENCRYPTABLE_FIELDS)[number]) =>
    encrypted?.fields.includes(field) ?? false;
  const name = isEncrypted('name')
    ? validateCiphertext(request.name)
    : validatePersonName(request.name);
  if (!name.valid) problems.push(problem('name', name.reason));
  const phone = isEncrypted('phone')
    ? validateCiphertext(request.phone)
    : validateMobile(request.phone);
  if (!phone.valid) problems.push(problem('phone', phone.reason));
  const idCard = isEncrypted('idCard')
    ? validateCiphertext(request.idCard)
    : validateIdCard(request.idCard, now);
  if (!idCard.valid) problems.push(problem('idCard', idCard.reason));
  const verifyMode = verifyModeOf(request.verifyMode ?? defaultVerifyMode);
  if (verifyMode === undefined) {
    problems.push(
      problem('verifyMode', `must be one of: ${VERIFY_MODE_INPUTS.join(', ')}`),
    );
  }
  if (
    !name.valid ||
    !phone.valid ||
    !idCard.valid ||
    verifyMode === undefined ||
    problems.length > 0
  ) {
    throw new InvalidInputError(problems);
  }
  return {
    name: name.value,
    phone: phone.value,
    idCard: idCard.value,
    verifyMode,
    ...(encrypted ? { encrypted } : {}),
  };
}

/** A mode, or its alias in AceData's spelling, as a {@link VerifyMode}. */
function verifyModeOf(input: unknown): VerifyMode | undefined {
  if ((VERIFY_MODES as readonly unknown[]).includes(input)) {
    return input as VerifyMode;
  }
  return typeof input === 'string' && Object.hasOwn(VERIFY_MODE_ALIASES, input)
    ? VERIFY_MODE_ALIASES[input as keyof typeof VERIFY_MODE_ALIASES]
    : undefined;
}
