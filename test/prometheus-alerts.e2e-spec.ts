import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startTestRedis, type TestRedis } from './support/redis-server.js';
import {
  METRICS_KEY,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const run = promisify(execFile);
const RULES = 'deploy/prometheus/alerts.yml';
const RULE_TESTS = 'deploy/prometheus/alerts.test.yml';

/** promtool, from Debian's prometheus package (.ci/run installs it). */
async function promtool(...args: string[]) {
  return run('promtool', args, { encoding: 'utf8' }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => ({
      stdout: error.stdout ?? '',
      stderr: `${error.stderr ?? ''} (exit ${error.code})`,
      failed: true,
    }),
  );
}

async function metricsOf(harness: Harness): Promise<string> {
  const response = await fetch(`${harness.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_KEY}` },
  });
  return response.text();
}

describe('the Prometheus alerting rules (deploy/prometheus)', () => {
  it('are valid rules (promtool check rules)', async () => {
    const checked = await promtool('check', 'rules', RULES);
    expect(checked).not.toHaveProperty('failed');
    expect(checked.stdout).toMatch(/SUCCESS: 7 rules found/);
  });

  it('fire, and stay quiet, as their unit tests on synthetic series say (promtool test rules)', async () => {
    const tested = await promtool('test', 'rules', RULE_TESTS);
    expect(tested).not.toHaveProperty('failed');
    expect(tested.stdout).toMatch(/SUCCESS/);
  });

  describe('read metrics the sample app exposes', () => {
    let redis: TestRedis;
    let harness: Harness;

    beforeAll(async () => {
      redis = await startTestRedis();
      harness = await startHarness({
        PHONE_VERIFICATION_DAILY_BUDGET: '100',
        REDIS_URL: redis.url,
        PHONE_VERIFICATION_KEY_SECRET: 'alerts-e2e-key-secret-of-32-characters',
      });
    }, 30_000);

    afterAll(async () => {
      await harness.close();
      await redis.close();
    });

    it('every metric an alert reads is one /metrics declares (with Redis and a budget)', async () => {
      const rules = readFileSync(RULES, 'utf8');
      const read = new Set(rules.match(/\bphone_verifications?_[a-z_]+/g));
      expect(read.size).toBeGreaterThanOrEqual(7);
      const declared = new Set(
        [...(await metricsOf(harness)).matchAll(/^# TYPE (\S+) /gm)].map(
          (m) => m[1],
        ),
      );
      expect([...read].filter((name) => !declared.has(name))).toEqual([]);
    });

    it('without Redis, no shared-store series exists, so "shared store down" cannot fire for a deployment without one', async () => {
      const alone = await startHarness();
      try {
        const metrics = await metricsOf(alone);
        expect(metrics).toMatch(/^phone_verification_ledger_store_up 1$/m);
        expect(metrics).not.toMatch(/^phone_verification_shared_store_/m);
        expect(metrics).not.toMatch(/^phone_verification_budget_counter_lost/m);
      } finally {
        await alone.close();
      }
    }, 30_000);
  });
});
