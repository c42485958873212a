import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  chargedForThisCall,
  mayHaveChargedThisCall,
  type PhoneVerificationResult,
} from '../dto/phone-verification-result.js';

type OtelApi = typeof import('@opentelemetry/api');
type OtelSpan = import('@opentelemetry/api').Span;

/** The name of the library's span: one per `verify()`. */
export const VERIFY_SPAN_NAME = 'phone_verification.verify';

/** The tracer's name (the instrumentation scope). */
const TRACER_NAME = '@acedata-kit/nestjs-phone-verification';

/** What a verification's span says of it: never a name, phone or ID number. */
export interface VerificationSpan {
  /** The request passed validation: how it is asked. */
  asked(verifyMode: string, encrypted: boolean): void;
  /** It was answered with a result. */
  answered(result: PhoneVerificationResult, attempts: number): void;
  /** It failed: the span's status says so, with the error's code. */
  failed(error: unknown, attempts: number): void;
}

const NOT_RECORDING: VerificationSpan = {
  asked: () => undefined,
  answered: () => undefined,
  failed: () => undefined,
};

let api: OtelApi | null | undefined;
let loading: Promise<OtelApi | null> | undefined;

/**
 * Loads `@opentelemetry/api` once, if the app has it (an optional peer):
 * without it, or without an SDK registered, tracing costs nothing.
 */
export async function loadOpenTelemetryApi(): Promise<boolean> {
  // (No type of the API in a signature here: an app without it still compiles.)
  loading ??= import('@opentelemetry/api').then(
    (loaded) => (api = loaded),
    () => (api = null),
  );
  return (await loading) !== null;
}

/**
 * Runs one `verify()` inside its span (`phone_verification.verify`,
 * INTERNAL), made active so that the requests to AceData (the app's undici
 * instrumentation), Redis and the ledger appear under it.
 */
export async function traceVerification<T>(
  run: (span: VerificationSpan) => Promise<T>,
): Promise<T> {
  if (!api) return run(NOT_RECORDING);
  const otel = api;
  return otel.trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(
      VERIFY_SPAN_NAME,
      { kind: otel.SpanKind.INTERNAL },
      async (span) => {
        try {
          return await run(
            span.isRecording() ? recording(otel, span) : NOT_RECORDING,
          );
        } finally {
          span.end();
        }
      },
    );
}

function recording(otel: OtelApi, span: OtelSpan): VerificationSpan {
  return {
    asked(verifyMode, encrypted) {
      span.setAttributes({
        'phone_verification.verify_mode': verifyMode,
        'phone_verification.encrypted': encrypted,
      });
    },
    answered(result, attempts) {
      span.setAttributes({
        'phone_verification.status': result.status,
        'phone_verification.result_code': result.code,
        'phone_verification.charged': chargedForThisCall(result),
        'phone_verification.billable': String(result.billable),
        'phone_verification.may_have_billed': mayHaveChargedThisCall(result),
        'phone_verification.cache': result.fromCache
          ? 'hit'
          : result.shared
            ? 'shared'
            : 'miss',
        'phone_verification.attempts': attempts,
        ...(result.traceId
          ? { 'phone_verification.acedata_trace_id': result.traceId }
          : {}),
      });
    },
    failed(error, attempts) {
      // Only the code: a message is safe by construction, but a span is
      // exported far away, so it carries no text at all.
      const code =
        error instanceof PhoneVerificationError ? error.code : 'internal';
      span.setAttributes({
        'phone_verification.status': 'error',
        'error.type': code,
        'phone_verification.charged': false,
        'phone_verification.may_have_billed':
          error instanceof PhoneVerificationError && error.mayHaveBilled,
        'phone_verification.attempts': attempts,
        ...(error instanceof PhoneVerificationError && error.traceId
          ? { 'phone_verification.acedata_trace_id': error.traceId }
          : {}),
      });
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: code });
    },
  };
}

const RESEND_COUNT = Symbol.for('phone_verification.resend_count');

/**
 * Runs one attempt to AceData with its index in the active context, so the
 * HTTP client span made for it can say `http.request.resend_count` (see
 * {@link upstreamSpanAttributes}).
 */
export function inAttempt<T>(resendCount: number, send: () => T): T {
  if (!api || resendCount === 0) return send();
  const { context } = api;
  return context.with(
    context.active().setValue(RESEND_COUNT, resendCount),
    send,
  );
}

/**
 * Attributes for the HTTP client span of a request to AceData, read from
 * the active context: `http.request.resend_count` on a retry. Give it to
 * `UndiciInstrumentation`'s `startSpanHook`.
 */
export function upstreamSpanAttributes(): Record<string, number> {
  const count = api?.context.active().getValue(RESEND_COUNT);
  return typeof count === 'number'
    ? { 'http.request.resend_count': count }
    : {};
}
