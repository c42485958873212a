import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
} from '@app/phone-verification/testing';

// Runs the sandbox on its own: `npm run start:sandbox`.
// SANDBOX_PORT (default 4010), SANDBOX_TOKEN, SANDBOX_LATENCY_MS.
const sandbox = await startSandbox({
  port: Number(process.env.SANDBOX_PORT ?? 4010),
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  token: process.env.SANDBOX_TOKEN || undefined,
  latencyMs: Number(process.env.SANDBOX_LATENCY_MS ?? 0),
});
process.stdout.write(
  `AceData sandbox on ${sandbox.url} (token "${sandbox.token}"). Try: ` +
    `curl -s ${sandbox.url}/identity/phone/check-3e -H 'authorization: Bearer ${sandbox.token}' ` +
    `-H 'content-type: application/json' -d '{"name":"${TEST_NAME}","phone":"13800000000","id_card":"${TEST_ID_CARD}"}'\n`,
);
const stop = (): void => {
  sandbox.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
