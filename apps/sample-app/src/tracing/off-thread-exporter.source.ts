/**
 * The export thread's code (CommonJS, evaluated, as the embedded ledger's
 * worker is: no file path to give a worker from both the build and the
 * specs). It holds the OTLP exporter the SDK would have made from the
 * standard variables (its own copy of the app's), rebuilds each batch the
 * app posts into the spans the exporter reads (one resource and scope object
 * each, as the SDK shares them), and answers each batch with its result.
 */
export const OFF_THREAD_EXPORTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { OTLPTraceExporter } = require(workerData.entry);
const exporter = new OTLPTraceExporter();
const traceState = (value) =>
  value === undefined ? undefined : { serialize: () => value };
const context = (c) => c && { ...c, traceState: traceState(c.traceState) };
function spansOf(batch) {
  return batch.spans.map((s) => {
    const own = context(s.context);
    return {
      ...s,
      spanContext: () => own,
      parentSpanContext: context(s.parentSpanContext),
      links: s.links.map((l) => ({ ...l, context: context(l.context) })),
      resource: batch.resources[s.resource],
      instrumentationScope: batch.scopes[s.scope],
    };
  });
}
const failure = (error) => String((error && error.message) || error);
parentPort.on('message', (m) => {
  if (m.op === 'export') {
    let spans;
    try {
      spans = spansOf(m.batch);
    } catch (error) {
      return parentPort.postMessage({ id: m.id, code: 1, error: failure(error) });
    }
    exporter.export(spans, (result) =>
      parentPort.postMessage({
        id: m.id,
        code: result.code,
        error: result.error && failure(result.error),
      }),
    );
    return;
  }
  const done = m.op === 'flush' ? exporter.forceFlush() : exporter.shutdown();
  done.then(
    () => parentPort.postMessage({ id: m.id, code: 0 }),
    (error) => parentPort.postMessage({ id: m.id, code: 1, error: failure(error) }),
  );
});
`;
