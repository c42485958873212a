/**
 * How much the upstream says about a mismatch: `short` answers only
 * consistent or not; `detailed` also says which element did not match.
 */
export type VerifyMode = 'short' | 'detailed';

/** Every {@link VerifyMode}, for validators and docs. */
export const VERIFY_MODES: readonly VerifyMode[] = ['short', 'detailed'];

/** What `PhoneVerificationService.verify()` takes. */
export interface PhoneVerificationRequest {
  /** The person's registered name, e.g. `张三` or `阿依古丽·买买提`. */
  name: string;
  /** Mainland-China mobile number; spaces, hyphens and `+86` are accepted. */
  phone: string;
  /** 18-character resident ID number; a lowercase `x` is accepted. */
  idCard: string;
  /** Defaults to the module's `defaultVerifyMode`. */
  verifyMode?: VerifyMode;
}
