// The command-line flags the benchmarks take beyond --smoke.

/**
 * The whole number after `flag` on the command line (at least 1), if the
 * flag is there; anything else after it stops the run, naming the flag.
 */
export function countAfter(flag: string): number | undefined {
  const at = process.argv.indexOf(flag);
  if (at === -1) return undefined;
  const text = process.argv[at + 1];
  if (!/^[1-9]\d{0,5}$/.test(text ?? '')) {
    throw new Error(
      `${flag} takes a whole number from 1, not ${JSON.stringify(text ?? '')}`,
    );
  }
  return Number(text);
}
