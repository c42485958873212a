import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchRunner } from './batch-runner.js';

describe('BatchRunner', () => {
  it('an unexpected failure of a call ends the run with that error, and no unhandled rejection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const input = join(dir, 'in.csv');
    writeFileSync(
      input,
      'name,phone,id_card\n张三,13800000000,11010519491231002X\n李四,13800000001,11010519491231002X\n',
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runner = new BatchRunner(
        {
          input,
          out: join(dir, 'out.csv'),
          concurrency: 4,
          columns: {},
          encoding: 'auto',
          retryUncertain: false,
          dryRun: false,
          includeInput: false,
        },
        () => Promise.reject(new Error('disk full')),
      );
      await expect(runner.run()).rejects.toThrow('disk full');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
