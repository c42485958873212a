import { Injectable } from '@nestjs/common';
import {
  healthSnapshot,
  type PhoneVerificationHealth,
} from '../health/phone-verification-health.js';
import type {
  PhoneVerificationRequest,
  VerifyMode,
} from '../dto/phone-verification-request.js';
import { meaningOfResultCode } from '../acedata/result-codes.js';
import type {
  Carrier,
  PhoneVerificationResult,
} from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import { maskIdCard, maskName, maskPhone } from '../privacy/masking.js';
import type { CircuitBreakerState } from '../resilience/circuit-breaker.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { validateMobile } from '../validation/mobile.js';
import { normalizeVerificationRequest } from '../validation/normalize-request.js';

/** A call the fake received, masked as the library would log it. */
export interface RecordedVerification {
  readonly name: string;
  readonly phone: string;
  readonly idCard: string;
  readonly verifyMode: VerifyMode;
}

/** What a scripted identity answers: a result (or part of one), or an error to throw. */
export type ScriptedAnswer =
  Partial<PhoneVerificationResult> | PhoneVerificationError;

/** Builds a complete result from a code (and any fields to override). */
export function scriptedResult(
  code: number,
  overrides: Partial<PhoneVerificationResult> = {},
): PhoneVerificationResult {
  const carrier: Carrier = 'china_mobile';
  return {
    code,
    status: meaningOfResultCode(code).status,
    billable: meaningOfResultCode(code).billed,
    charged: meaningOfResultCode(code).billed,
    description: code === 0 ? 'Authentication passed' : 'scripted',
    carrier,
    isp: 'Mobile',
    detail: null,
    fromCache: false,
    shared: false,
    ...overrides,
  };
}

/**
 * Stands in for `PhoneVerificationService` in a consumer's tests: no network,
 * the same input validation (so bad input throws `InvalidInputError` as in
 * production), scripted answers per phone number, and a record of the calls
 * it got, masked. Unscripted identities answer `consistent`.
 */
@Injectable()
export class FakePhoneVerificationService {
  private readonly scripts = new Map<string, ScriptedAnswer>();
  private defaultAnswer: ScriptedAnswer = {};
  private readonly recorded: RecordedVerification[] = [];
  private circuit: CircuitBreakerState = 'closed';

  /** Scripts the answer for a phone number (normalised, so `+86 138…` works too). */
  whenPhone(phone: string, answer: ScriptedAnswer): this {
    const outcome = validateMobile(phone);
    if (!outcome.valid) {
      throw new InvalidInputError([
        { field: 'phone', message: `phone ${outcome.reason}` },
      ]);
    }
    this.scripts.set(outcome.value, answer);
    return this;
  }

  /** Scripts the answer for every phone number not scripted otherwise. */
  otherwise(answer: ScriptedAnswer): this {
    this.defaultAnswer = answer;
    return this;
  }

  /** Sets what `circuitState()` reports, to test readiness checks. */
  setCircuitState(state: CircuitBreakerState): this {
    this.circuit = state;
    return this;
  }

  /** The calls received so far, masked. */
  get calls(): readonly RecordedVerification[] {
    return this.recorded;
  }

  /** Forgets scripts and calls. */
  reset(): void {
    this.scripts.clear();
    this.defaultAnswer = {};
    this.recorded.length = 0;
    this.circuit = 'closed';
  }

  /** Same contract as `PhoneVerificationService.verify()`. */
  async verify(
    request: PhoneVerificationRequest,
  ): Promise<PhoneVerificationResult> {
    const normalized = normalizeVerificationRequest(request, 'short');
    this.recorded.push({
      name: maskName(normalized.name),
      phone: maskPhone(normalized.phone),
      idCard: maskIdCard(normalized.idCard),
      verifyMode: normalized.verifyMode,
    });
    const answer = this.scripts.get(normalized.phone) ?? this.defaultAnswer;
    if (answer instanceof PhoneVerificationError) throw answer;
    return scriptedResult(answer.code ?? 0, answer);
  }

  /** Same contract as `PhoneVerificationService.circuitState()`. */
  circuitState(): CircuitBreakerState {
    return this.circuit;
  }

  /** Same contract as `PhoneVerificationService.health()`: the circuit as set, no Redis, no ledger. */
  health(): PhoneVerificationHealth {
    return healthSnapshot({ circuit: this.circuit, budgetsFailClosed: false });
  }
}
