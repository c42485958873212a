import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';

/**
 * Readiness reports the library's circuit breaker: open means AceData has
 * been failing and verifications fail fast, so the instance is not ready.
 */
@Injectable()
export class CircuitBreakerHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly verification: PhoneVerificationService,
  ) {}

  check(): HealthIndicatorResult<'acedata_circuit'> {
    const indicator = this.indicators.check('acedata_circuit');
    const { state, refusingBilledCalls } = this.verification.health().circuit;
    return refusingBilledCalls
      ? indicator.down({ state })
      : indicator.up({ state });
  }
}
