import {
  identityDigest,
  legacyIdentityDigest,
  maskPhone,
} from '@app/phone-verification';
import {
  validateIdCard,
  validateMobile,
  validatePersonName,
} from '@app/phone-verification/validation';
import type { ColumnMap } from '../input/columns.js';

/** How a run makes its identity keys. */
export interface IdentityKeying {
  /** The run's own secret, kept in its checkpoint. */
  readonly secret: string;
  /** A checkpoint of 0.1: keys made the way they were then, so a resume recognises its rows. */
  readonly legacy: boolean;
}

/** A row's subject after the library's validation, or why it is invalid. */
export type Subject =
  | {
      readonly valid: true;
      readonly name: string;
      readonly phone: string;
      readonly idCard: string;
      /** HMAC of the normalised identity: equal for duplicates, never the data. */
      readonly key: string;
      readonly phoneMasked: string;
    }
  | {
      readonly valid: false;
      /** e.g. `id_card: has a check character that does not match`. */
      readonly problems: string;
      readonly phoneMasked: string;
    };

/**
 * Validates and normalises a row with the library's own rules (so nothing
 * the API would reject, or bill for nothing, is sent), and derives its
 * identity key under the run's secret (the library's `identityDigest`,
 * its `batch` use).
 */
export function subjectOf(
  fields: readonly string[],
  columns: ColumnMap,
  keying: IdentityKeying,
): Subject {
  const name = validatePersonName(fields[columns.name]);
  const phone = validateMobile(fields[columns.phone]);
  const idCard = validateIdCard(fields[columns.idCard]);
  const phoneMasked = phone.valid ? maskPhone(phone.value) : '';
  if (!name.valid || !phone.valid || !idCard.valid) {
    const problems = [
      name.valid ? '' : `name: ${name.reason}`,
      phone.valid ? '' : `phone: ${phone.reason}`,
      idCard.valid ? '' : `id_card: ${idCard.reason}`,
    ].filter(Boolean);
    return { valid: false, problems: problems.join('; '), phoneMasked };
  }
  const person = [name.value, phone.value, idCard.value];
  const key = (
    keying.legacy
      ? legacyIdentityDigest(keying.secret, person)
      : identityDigest(keying.secret, 'batch', person)
  )
    // 128 bits: collisions are out of reach, and a million keys stay small.
    .subarray(0, 16)
    .toString('base64url');
  return {
    valid: true,
    name: name.value,
    phone: phone.value,
    idCard: idCard.value,
    key,
    phoneMasked,
  };
}
