import { register } from 'node:module';
import { trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { upstreamSpanAttributes } from '@app/phone-verification';
import { InvalidSampleAppConfigError } from '../sample-app.config.js';
import {
  OffThreadSpanExporter,
  OTLP_EXPORTERS,
} from './off-thread-exporter.js';

/** The SDK while it runs: flushes and stops it. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/** What `OTEL_EXPORTER_OTLP_PROTOCOL` may say (the SDK's default: http/protobuf). */
const PROTOCOLS = Object.keys(OTLP_EXPORTERS);

/** What `OTEL_TRACES_SAMPLER` may say. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The service's name in traces unless `OTEL_SERVICE_NAME` says otherwise. */
export const DEFAULT_SERVICE_NAME = 'acedata-sample-app';

/**
 * Whether to trace: an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and `OTEL_SDK_DISABLED` is not
 * `true`. The rest of the standard variables are checked here, so a typo
 * fails the boot naming the variable instead of tracing nothing.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled === 'true') return false;
  const endpoints = [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  ].filter((variable) => env[variable]?.trim());
  for (const variable of endpoints) {
    if (!isHttpUrl(env[variable]!.trim())) {
      throw new InvalidSampleAppConfigError(
        variable,
        'must be an http(s) URL, e.g. http://127.0.0.1:4318',
      );
    }
  }
  oneOf(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS);
  oneOf(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', PROTOCOLS);
  const sampler = oneOf(env, 'OTEL_TRACES_SAMPLER', SAMPLERS);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (sampler?.endsWith('traceidratio') && ratio) {
    const value = Number(ratio);
    if (!(value >= 0 && value <= 1)) {
      throw new InvalidSampleAppConfigError(
        'OTEL_TRACES_SAMPLER_ARG',
        'must be a ratio from 0 to 1',
      );
    }
  }
  return endpoints.length > 0;
}

/**
 * Starts OpenTelemetry's Node SDK, configured by the standard `OTEL_*`
 * variables alone, when {@link tracingWanted}: a server span per request
 * (`traceServerRequests`, once the app is built), the library's span per
 * verification under it, a client span per
 * request to AceData (undici, with `traceparent` sent), and Redis and
 * PostgreSQL commands (their values never recorded). Without an endpoint
 * nothing is loaded. Call it before the app's modules load.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
): Promise<Tracing | undefined> {
  if (!tracingWanted(env)) return undefined;
  // ES modules (the library imports ioredis and pg as such) are patched
  // through import-in-the-middle's loader, told to wrap only the modules
  // the instrumentations below ask for.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const hooks = createAddHookMessageChannel();
  register(
    'import-in-the-middle/hook.mjs',
    import.meta.url,
    hooks.registerOptions,
  );
  const [sdkNode, undici, ioredis, pg] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new sdkNode.NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
    // OTLP (the default) is encoded and sent off the event loop; another
    // OTEL_TRACES_EXPORTER (console, none, several) is the SDK's to make.
    ...(otlpOnly(env) ? { traceExporter: new OffThreadSpanExporter(env) } : {}),
    // Traces only: the app's metrics are Prometheus's (GET /metrics).
    metricReaders: [],
    // The server spans are the app's own (server-spans.ts), once it is built.
    instrumentations: [
      new undici.UndiciInstrumentation({
        ignoreRequestHook: inUnsampledTrace,
        startSpanHook: () => upstreamSpanAttributes(),
      }),
      new ioredis.IORedisInstrumentation(),
      new pg.PgInstrumentation(),
    ],
  });
  sdk.start();
  await hooks.waitForAllMessagesAcknowledged();
  started = true;
  return { shutdown: () => sdk.shutdown() };
}

let started = false;

/**
 * Whether the request runs in a trace that is not sampled: under the
 * samplers the app takes its client span would record nothing, so the
 * undici instrumentation need not make one (nor send AceData a
 * `traceparent` saying "not sampled"). It was about a twentieth of the
 * app's CPU per verification with one trace in ten (`npm run bench:tracing`).
 */
function inUnsampledTrace(): boolean {
  const parent = trace.getActiveSpan()?.spanContext();
  return parent !== undefined && !sampled(parent);
}

/** Whether a span context's trace is sampled: recorded, and exported. */
function sampled(spanContext: SpanContext): boolean {
  return (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** Whether `OTEL_TRACES_EXPORTER` asks for OTLP alone (its default). */
function otlpOnly(env: NodeJS.ProcessEnv): boolean {
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return !exporters?.length || exporters.every((name) => name === 'otlp');
}

/** Whether {@link startTracing} started the SDK in this process. */
export function tracingStarted(): boolean {
  return started;
}

/** The active span's ids, for log lines and error answers. */
export function activeTraceIds():
  { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const spanContext = span.spanContext();
  // An unsampled span's ids lead nowhere: no trace holds them.
  if (!sampled(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

function oneOf(
  env: NodeJS.ProcessEnv,
  variable: string,
  allowed: readonly string[],
): string | undefined {
  const value = env[variable]?.trim();
  if (!value) return undefined;
  if (!allowed.includes(value)) {
    throw new InvalidSampleAppConfigError(
      variable,
      `must be one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
