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
export {
  DEFAULT_SANDBOX_TOKEN,
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from './sandbox/sandbox.server.js';
export {
  parseSandboxLatency,
  sandboxModeFromEnv,
  sandboxModeWarning,
  SandboxModeError,
  type SandboxMode,
} from './sandbox/sandbox-mode.js';
export {
  SANDBOX_USAGE,
  runSandboxCli,
  sandboxCliOptions,
} from './sandbox/sandbox.cli-run.js';
export {
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
  type SandboxBehaviour,
  type TestIdentity,
} from './sandbox/sandbox.identities.js';
export {
  REGISTERED_PEOPLE,
  type RegisteredPerson,
} from './sandbox/sandbox.registry.js';
export type {
  SandboxCallsSnapshot,
  PhoneCalls,
} from './sandbox/sandbox.call-log.js';
export {
  SANDBOX_TEST_CIPHERTEXT_BLOB,
  SANDBOX_TEST_DATA_KEY,
} from './sandbox/sandbox.encryption.js';
