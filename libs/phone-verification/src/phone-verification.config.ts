import { registerAs } from '@nestjs/config';
import type { PhoneVerificationModuleOptions } from './phone-verification.options.js';

function optionalNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  // NaN is kept so that option validation names the bad variable's option.
  return Number(raw);
}

/**
 * A `@nestjs/config` namespace that reads the module's options from the
 * environment: `ACEDATA_API_TOKEN`, `ACEDATA_BASE_URL`, `ACEDATA_TIMEOUT_MS`,
 * and, to turn the cache on, `PHONE_VERIFICATION_CACHE_TTL_MS` with
 * `PHONE_VERIFICATION_CACHE_SECRET`.
 *
 * @example
 * PhoneVerificationModule.forRootAsync(phoneVerificationConfig.asProvider())
 */
export const phoneVerificationConfig = registerAs(
  'phoneVerification',
  (): PhoneVerificationModuleOptions => {
    const cacheTtlMs = optionalNumber(
      process.env.PHONE_VERIFICATION_CACHE_TTL_MS,
    );
    return {
      apiToken: process.env.ACEDATA_API_TOKEN ?? '',
      baseUrl: process.env.ACEDATA_BASE_URL || undefined,
      timeoutMs: optionalNumber(process.env.ACEDATA_TIMEOUT_MS),
      ...(cacheTtlMs === undefined
        ? {}
        : {
            cache: {
              ttlMs: cacheTtlMs,
              secret: process.env.PHONE_VERIFICATION_CACHE_SECRET ?? '',
            },
          }),
    };
  },
);
