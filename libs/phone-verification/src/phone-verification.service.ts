import { Inject, Injectable, Logger } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import type { PhoneVerificationRequest } from './dto/phone-verification-request.js';
import type { PhoneVerificationResult } from './dto/phone-verification-result.js';
import { PhoneVerificationError } from './errors/phone-verification.error.js';
import { PHONE_VERIFICATION_RESOLVED_OPTIONS } from './phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from './phone-verification.options.js';
import { maskPhone } from './privacy/masking.js';
import { normalizeVerificationRequest } from './validation/normalize-request.js';

/**
 * Verifies that a name, a mainland-China mobile number and a resident ID
 * number belong together, through AceData's three-elements API.
 */
@Injectable()
export class PhoneVerificationService {
  private readonly logger = new Logger(PhoneVerificationService.name);

  constructor(
    @Inject(PHONE_VERIFICATION_RESOLVED_OPTIONS)
    private readonly options: ResolvedPhoneVerificationOptions,
    private readonly client: AceDataClient,
  ) {}

  /**
   * Normalises and validates the input (throwing `InvalidInputError` before
   * any upstream call), then verifies it.
   *
   * @returns the result for any answer AceData gives, billed or not.
   * @throws PhoneVerificationError when there is no result: bad input, an
   *   upstream error status, a timeout, a connection failure.
   */
  async verify(
    request: PhoneVerificationRequest,
  ): Promise<PhoneVerificationResult> {
    const normalized = normalizeVerificationRequest(
      request,
      this.options.defaultVerifyMode,
    );
    const started = performance.now();
    try {
      const result = await this.client.check3e(normalized);
      this.logger.debug(
        `verified ${maskPhone(normalized.phone)}: ${result.status} (code ${result.code}, billed ${result.billed}) in ${Math.round(performance.now() - started)} ms`,
      );
      return result;
    } catch (error) {
      if (error instanceof PhoneVerificationError) {
        this.logger.warn(
          `verification of ${maskPhone(normalized.phone)} failed: ${error.code}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
        );
      }
      throw error;
    }
  }
}
