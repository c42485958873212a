import { Logger } from '@nestjs/common';
import {
  chargedForThisCall,
  mayHaveChargedThisCall,
  type PhoneVerificationResult,
} from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import { maskPhone } from '../privacy/masking.js';
import type { VerificationEvent } from './verification-event.js';
import type { VerificationSpan } from './verification-tracing.js';

/** What one answered `verify()` looked like, for its event. */
export interface AnsweredVerification {
  readonly result: PhoneVerificationResult;
  readonly attempts: number;
  readonly cacheHit: boolean;
  readonly shared: boolean;
  readonly latencyMs: number;
}

/** What one failed `verify()` looked like. */
export interface FailedVerification {
  readonly error: unknown;
  readonly attempts: number;
  readonly latencyMs: number;
}

/**
 * Tells the world about each `verify()`: one subject-free event to the
 * `onVerification` hook (a throwing hook is logged, never rethrown), one
 * log line with the phone masked, and the attributes of its span.
 */
export class VerificationReporter {
  private readonly logger = new Logger('PhoneVerificationService');

  constructor(
    private readonly hook: ((event: VerificationEvent) => void) | undefined,
  ) {}

  answered(
    phone: string,
    answered: AnsweredVerification,
    span: VerificationSpan,
  ): void {
    const { result } = answered;
    span.answered(result, answered.attempts);
    this.emit({
      status: result.status,
      code: result.code,
      billed: chargedForThisCall(result),
      mayHaveBilled: mayHaveChargedThisCall(result),
      attempts: answered.attempts,
      cacheHit: answered.cacheHit,
      shared: answered.shared,
      latencyMs: answered.latencyMs,
    });
    this.logger.debug(
      `verified ${maskPhone(phone)}: ${result.status} (code ${result.code}, charged ${result.charged}, cache ${answered.cacheHit})`,
    );
  }

  failed(
    phone: string,
    { error, attempts, latencyMs }: FailedVerification,
    span: VerificationSpan,
  ): void {
    span.failed(error, attempts);
    if (!(error instanceof PhoneVerificationError)) return;
    this.emit({
      status: 'error',
      errorCode: error.code,
      billed: false,
      mayHaveBilled: error.mayHaveBilled,
      attempts,
      cacheHit: false,
      shared: false,
      latencyMs,
    });
    this.logger.warn(
      // The upstream's status is not personal data, and says what went wrong.
      `verification of ${maskPhone(phone)} failed: ${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
    );
  }

  private emit(event: VerificationEvent): void {
    if (!this.hook) return;
    try {
      this.hook(event);
    } catch {
      this.logger.warn('the onVerification hook threw; ignored');
    }
  }
}
