/**
 * How much the upstream says about a mismatch: `short` answers only
 * consistent or not; `detailed` also says which element did not match.
 */
export type VerifyMode = 'short' | 'detailed';

/** Every {@link VerifyMode}, for validators and docs. */
export const VERIFY_MODES: readonly VerifyMode[] = ['short', 'detailed'];

/**
 * AceData's own spelling of each mode (`verify_mode` `"0"`, `"1"`), accepted
 * wherever a {@link VerifyMode} is, so a body copied from its docs works.
 * The one table of it: the wire codec sends its inverse.
 */
export const VERIFY_MODE_ALIASES: Readonly<Record<'0' | '1', VerifyMode>> = {
  '0': 'short',
  '1': 'detailed',
};

/** A {@link VerifyMode} or its alias in AceData's spelling. */
export type VerifyModeInput = VerifyMode | keyof typeof VERIFY_MODE_ALIASES;

/** Every accepted {@link VerifyModeInput}. */
export const VERIFY_MODE_INPUTS: readonly VerifyModeInput[] = [
  ...VERIFY_MODES,
  '0',
  '1',
];

/** A subject field that can travel encrypted. */
export type EncryptableField = 'name' | 'phone' | 'idCard';

/** Every {@link EncryptableField}. */
export const ENCRYPTABLE_FIELDS: readonly EncryptableField[] = [
  'name',
  'phone',
  'idCard',
];

/**
 * Fields the caller already encrypted (AceData's `encrypt_list`,
 * `ciphertext_blob`, `iv`), passed through as they are. Those fields cannot
 * be validated locally: the library checks only that they are present.
 */
export interface EncryptedFields {
  /** Which of `name`, `phone`, `idCard` hold base64 ciphertext. */
  fields: EncryptableField[];
  /** The wrapped data key, as AceData expects it. */
  ciphertextBlob: string;
  /** The CBC IV, in AceData's wire form (16 characters). */
  iv: string;
}

/** What `PhoneVerificationService.verify()` takes. */
export interface PhoneVerificationRequest {
  /** The person's registered name, e.g. `张三` or `阿依古丽·买买提`. */
  name: string;
  /** Mainland-China mobile number; spaces, hyphens and `+86` are accepted. */
  phone: string;
  /** 18-character resident ID number; a lowercase `x` is accepted. */
  idCard: string;
  /** `short` or `detailed` (or AceData's `"0"` / `"1"`); defaults to the module's `defaultVerifyMode`. */
  verifyMode?: VerifyModeInput;
  /** Set when some fields are already encrypted by the caller (pass-through). */
  encrypted?: EncryptedFields;
}
