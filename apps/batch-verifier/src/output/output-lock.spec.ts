import { spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputLockedError, lockOutput, lockPathOf } from './output-lock.js';
import type { LockFileHolder } from '@app/phone-verification';

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
    const takenOver: (LockFileHolder | undefined)[] = [];
    const release = lockOutput(out, (holder) => takenOver.push(holder));
    expect(takenOver.map((h) => h?.pid)).toEqual([process.pid]);
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

  // The library's lock file: a pid alone does not say who holds it.
  it('takes over a lock whose pid is now another live process (pid reuse)', () => {
    const out = join(dir, 'out.csv');
    const other = spawn(process.execPath, [
      '-e',
      'setTimeout(() => {}, 30000)',
    ]);
    try {
      writeFileSync(
        lockPathOf(out),
        JSON.stringify({
          pid: other.pid,
          host: hostname(),
          start: '1',
          pidns: readlinkSync('/proc/self/ns/pid'),
        }),
      );
      const takenOver: (LockFileHolder | undefined)[] = [];
      lockOutput(out, (holder) => takenOver.push(holder))();
      expect(takenOver.map((h) => h?.pid)).toEqual([other.pid]);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
