// Type-checked with `moduleResolution: node` (tsconfig.node10.json), as an
// older CommonJS app would: the `/testing` entry must resolve there too.
import type { PhoneVerificationResult } from '@acedata-kit/nestjs-phone-verification';
import { FakePhoneVerificationService } from '@acedata-kit/nestjs-phone-verification/testing';

export const fake: FakePhoneVerificationService =
  new FakePhoneVerificationService();
export type Result = PhoneVerificationResult;
