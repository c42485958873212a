// Type-checked with `moduleResolution: node` (tsconfig.node10.json), as an
// older CommonJS app would: the subpath entries must resolve there too.
import type { PhoneVerificationResult } from '@acedata-kit/nestjs-phone-verification';
import type { UpstreamTimeoutError } from '@acedata-kit/nestjs-phone-verification/errors';
import { FakePhoneVerificationService } from '@acedata-kit/nestjs-phone-verification/testing';
import type { ValidationOutcome } from '@acedata-kit/nestjs-phone-verification/validation';
import type { Check3eWireResponse } from '@acedata-kit/nestjs-phone-verification/wire';

export const fake: FakePhoneVerificationService =
  new FakePhoneVerificationService();
export type Result = PhoneVerificationResult;
export type Entries = [
  UpstreamTimeoutError,
  ValidationOutcome,
  Check3eWireResponse,
];
