import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A container's app is PID 1 every time: after `kill -9` the next start is
 * PID 1 again, so "is the lock's pid alive?" answers yes about itself. Run
 * for real in a PID namespace of its own (`unshare`, as root: recipes.md).
 */
const LIBRARY = resolve('libs/phone-verification/dist/esm/index.js');

/** Opens the embedded ledger in `dir` and says so with its pid; stays up. */
const OPENER = `
import { openUsageLedger } from ${JSON.stringify(LIBRARY)};
try {
  await openUsageLedger({
    store: { pglite: { dataDir: process.argv[2] } },
    secret: 'a-ledger-secret-of-at-least-32-characters',
  });
  console.log('open as pid ' + process.pid);
  setInterval(() => undefined, 60_000);
} catch (error) {
  console.log('refused: ' + error.message);
  process.exit(3);
}
`;

/** Starts the opener as PID 1 of a new PID namespace; resolves with its first line. */
function startAsPid1(
  script: string,
  dir: string,
): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
      process.execPath,
      script,
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const line = new Promise<string>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) done(out.split('\n')[0]);
    });
    child.on('exit', (code) =>
      fail(new Error(`exited ${code} before a line: ${out}`)),
    );
  });
  return { child, line };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

describe('the embedded ledger in a container (PID 1, killed with SIGKILL, started again)', () => {
  let dir: string;
  let script: string;
  const running: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-pid1-'));
    script = join(dir, 'open-ledger.mjs');
    writeFileSync(script, OPENER);
  });

  afterAll(async () => {
    for (const child of running) await killed(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens again after kill -9, though the lock names PID 1 and the new process is PID 1 too', async () => {
    const data = join(dir, 'ledger');
    const first = startAsPid1(script, data);
    running.push(first.child);
    expect(await first.line).toBe('open as pid 1');

    await killed(first.child);

    const second = startAsPid1(script, data);
    running.push(second.child);
    expect(await second.line).toBe('open as pid 1');

    // And while it runs, a third is refused, naming it.
    const third = startAsPid1(script, data);
    running.push(third.child);
    expect(await third.line).toMatch(
      /^refused: .*in use by process 1 on this machine/,
    );
  }, 60_000);
});
