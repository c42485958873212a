// Preloaded into the app under soak (`node --expose-gc --import …/gc-probe.js`):
// on SIGUSR2 it runs a full garbage collection and prints the heap in use, so
// the soak compares live memory, not garbage that happened to be uncollected.
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(
    `GC_PROBE ${JSON.stringify({ heapUsed, rss, gc: gc !== undefined })}\n`,
  );
});
