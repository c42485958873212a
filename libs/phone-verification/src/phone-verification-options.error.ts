/** Thrown at boot when the module's options are unusable; names the option. */
export class InvalidPhoneVerificationOptionsError extends Error {
  constructor(
    readonly option: string,
    /** What is wrong with it, without the option's name. */
    readonly problem: string,
  ) {
    super(`PhoneVerificationModule: option "${option}" ${problem}`);
    this.name = 'InvalidPhoneVerificationOptionsError';
  }
}
