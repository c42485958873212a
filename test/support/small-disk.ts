import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real, tiny file system (tmpfs) that fills up: writes past it are short, then fail with ENOSPC. */
export interface SmallDisk {
  readonly dir: string;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeKb` KB on a new folder (needs root, as on CI and
 * the dev machines; see recipes.md). Unmount it when done.
 */
export function mountSmallDisk(sizeKb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
