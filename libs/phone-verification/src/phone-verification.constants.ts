/** Injection token of the validated, defaulted module options. */
export const PHONE_VERIFICATION_RESOLVED_OPTIONS =
  'PHONE_VERIFICATION:RESOLVED_OPTIONS';

/** The name used in boot errors and logs. */
export const PHONE_VERIFICATION_MODULE_NAME = 'PhoneVerification';

/** Injection token of the clock (`{ now(): number }`); override it in tests. */
export const PHONE_VERIFICATION_CLOCK = 'PHONE_VERIFICATION:CLOCK';

/** Injection token of the shared Redis handle (`SharedRedis`, or `null` without Redis). */
export const PHONE_VERIFICATION_SHARED_REDIS =
  'PHONE_VERIFICATION:SHARED_REDIS';
