// What tests, benchmarks and the sample app use of the sandbox.
export {
  DEFAULT_SANDBOX_TOKEN,
  startSandbox,
  type RunningSandbox,
  type SandboxOptions,
} from './sandbox.server.js';
export {
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
  type TestIdentity,
} from './sandbox.identities.js';
export {
  REGISTERED_PEOPLE,
  type RegisteredPerson,
} from './sandbox.registry.js';
export type { SandboxCallsSnapshot } from './sandbox.call-log.js';
export {
  SANDBOX_TEST_CIPHERTEXT_BLOB,
  SANDBOX_TEST_DATA_KEY,
} from './sandbox.encryption.js';
