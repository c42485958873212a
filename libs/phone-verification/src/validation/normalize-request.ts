import {
  VERIFY_MODES,
  type PhoneVerificationRequest,
  type VerifyMode,
} from '../dto/phone-verification-request.js';
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
  const name = validatePersonName(request.name);
  if (!name.valid) problems.push(problem('name', name.reason));
  const phone = validateMobile(request.phone);
  if (!phone.valid) problems.push(problem('phone', phone.reason));
  const idCard = validateIdCard(request.idCard, now);
  if (!idCard.valid) problems.push(problem('idCard', idCard.reason));
  const verifyMode = request.verifyMode ?? defaultVerifyMode;
  if (!VERIFY_MODES.includes(verifyMode)) {
    problems.push(
      problem('verifyMode', `must be one of: ${VERIFY_MODES.join(', ')}`),
    );
  }
  if (!name.valid || !phone.valid || !idCard.valid || problems.length > 0) {
    throw new InvalidInputError(problems);
  }
  return {
    name: name.value,
    phone: phone.value,
    idCard: idCard.value,
    verifyMode,
  };
}
