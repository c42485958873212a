// The benchmarks start their processes with the test suite's helpers.
import { freshLedgerDir } from '../test/support/ledger-template.js';
export { freshLedgerDir } from '../test/support/ledger-template.js';
export {
  startNodeProcess,
  statusField,
  type NodeProcess,
} from '../test/support/node-process.js';

/** The caller key the benchmarks use against the sample app. */
export const BENCH_KEY = 'bench-key-0123456789abcdef';

/**
 * The sample app's environment in the benchmarks: pointed at the sandbox,
 * limits out of the way, everything else as in production (info logs on,
 * the usage ledger in an embedded store of its own, removed at exit).
 */
export function sampleAppEnv(
  upstreamUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ACEDATA_API_TOKEN: 'sandbox-token',
    ACEDATA_BASE_URL: upstreamUrl,
    SAMPLE_APP_API_KEYS: BENCH_KEY,
    SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '1000000',
    SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    PHONE_VERIFICATION_LEDGER_SECRET:
      'bench-ledger-secret-of-32-characters-at-least',
    SAMPLE_APP_LEDGER_DIR: freshLedgerDir(),
    ...extra,
  };
}
