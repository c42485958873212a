import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OutputLockedError,
  lockOutput,
  lockPathOf,
  type LockHolder,
} from './output-lock.js';

/** A lock file as a run of `pid` on this host leaves it. */
const leaveLock = (out: string, pid: number) =>
  writeFileSync(
    lockPathOf(out),
    JSON.stringify({ pid, host: hostname(), startedAt: 'earlier' }),
  );

describe('the output lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'output-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A container killed with -9 comes back as the same PID (1): the lock
  // names "this" process, which is not holding it. Waiting on it would
  // wait forever.
  it('takes over a lock that names this very pid but is not held here (a container restarted)', () => {
    const out = join(dir, 'out.csv');
    leaveLock(out, process.pid);
    const takenOver: LockHolder[] = [];
    const release = lockOutput(out, (holder) => takenOver.push(holder));
    expect(takenOver.map((h) => h.pid)).toEqual([process.pid]);
    // Held here now: a second take in this process is refused.
    expect(() => lockOutput(out, () => undefined)).toThrow(OutputLockedError);
    release();
    lockOutput(out, () => undefined)();
  });

  it('refuses a lock held by another live process of this host', async () => {
    const out = join(dir, 'out.csv');
    const holder = spawn(process.execPath, [
      '-e',
      'setTimeout(() => {}, 30000)',
    ]);
    try {
      leaveLock(out, holder.pid!);
      expect(() => lockOutput(out, () => undefined)).toThrow(OutputLockedError);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
