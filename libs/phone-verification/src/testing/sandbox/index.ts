// The library's sandbox entry point (`…/sandbox`): a local AceData stand-in
// with documented test identities, and the sandbox-mode decision apps share.
// Production code imports it from here; `…/testing` re-exports it for tests.
// It loads nothing of `@nestjs/testing`.

export {
  DEFAULT_SANDBOX_TOKEN,
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from './sandbox.server.js';
export {
  parseSandboxLatency,
  sandboxModeFromEnv,
  sandboxModeWarning,
  SandboxModeError,
  type SandboxMode,
} from './sandbox-mode.js';
export {
  SANDBOX_USAGE,
  runSandboxCli,
  sandboxCliOptions,
} from './sandbox.cli-run.js';
export {
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
  type SandboxBehaviour,
  type TestIdentity,
} from './sandbox.identities.js';
export {
  REGISTERED_PEOPLE,
  type RegisteredPerson,
} from './sandbox.registry.js';
export type { SandboxCallsSnapshot, PhoneCalls } from './sandbox.call-log.js';
export {
  SANDBOX_TEST_CIPHERTEXT_BLOB,
  SANDBOX_TEST_DATA_KEY,
} from './sandbox.encryption.js';
