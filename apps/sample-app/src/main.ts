import { startTracing } from './tracing/tracing.js';

// Tracing (with OTEL_EXPORTER_OTLP_ENDPOINT set) starts before the app's
// modules load, so that the HTTP server and the clients they make are
// instrumented; the app is imported only then.
const tracing = await startTracing(process.env);
const { serve } = await import('./serve.js');
await serve(tracing);
