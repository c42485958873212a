// The `…/validation` entry: the library's field rules, for an app that
// validates a name, a mobile number or an ID number of its own (a DTO of
// its own shape, a CSV row) exactly as `verify()` does. `VerifyPhoneDto` and
// `invalidInputExceptionFactory` (main entry) cover the usual request body.

export { validateIdCard } from './id-card.js';
export { validateMobile } from './mobile.js';
export { validatePersonName, MAX_NAME_LENGTH } from './person-name.js';
export { validateCiphertext } from './ciphertext.js';
export type { ValidationOutcome } from './validation-outcome.js';
export { isCalendarDay } from '../china-time.js';
export {
  IsChineseIdCard,
  IsChineseMobile,
  IsEncryptionIv,
  IsPersonName,
} from './validation.decorators.js';
