// The library's testing entry point (`…/testing`): what a consumer needs to
// test its own code without the paid API.

export { PhoneVerificationTestingModule } from './phone-verification-testing.module.js';
export {
  FakePhoneVerificationService,
  scriptedResult,
  type RecordedVerification,
  type ScriptedAnswer,
} from './fake-phone-verification.service.js';
export {
  ScriptedUpstream,
  type RecordedRequest,
  type UpstreamAnswer,
} from './scripted-upstream.js';
export { rejectionOf } from './rejection-of.js';
export { VirtualClock } from './virtual-clock.js';
export * from './sandbox/index.js';
