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

/** Thrown when an environment variable holds an unusable value; names it. */
export class InvalidPhoneVerificationEnvError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'InvalidPhoneVerificationEnvError';
  }
}
