import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SpanContext } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { OFF_THREAD_EXPORTER_SOURCE } from './off-thread-exporter.source.js';

/** The OTLP exporter package per `OTEL_EXPORTER_OTLP_*PROTOCOL` (the protocols the app takes). */
export const OTLP_EXPORTERS: Readonly<Record<string, string>> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
};

/** A span context as posted: its trace state as the header's text. */
interface PostedContext extends Omit<SpanContext, 'traceState'> {
  traceState?: string;
}

/** What the export thread answers: the export's result, or a flush's. */
interface Answer {
  id: number;
  code: ExportResultCode;
  error?: string;
}

function posted(c: SpanContext | undefined): PostedContext | undefined {
  return c && { ...c, traceState: c.traceState?.serialize() };
}

/** `o`'s place among those `seen` in a batch, given on first sight. */
function indexOf(seen: Map<object, number>, o: object): number {
  let index = seen.get(o);
  if (index === undefined) seen.set(o, (index = seen.size));
  return index;
}

/**
 * The spans' data, cloneable to another thread: what the OTLP encoding
 * reads of each span, its resource and its scope sent once per batch.
 */
function batchOf(spans: ReadableSpan[]) {
  const resources = new Map<object, number>();
  const scopes = new Map<object, number>();
  const data = spans.map((s) => ({
    name: s.name,
    kind: s.kind,
    context: posted(s.spanContext()),
    parentSpanContext: posted(s.parentSpanContext),
    startTime: s.startTime,
    endTime: s.endTime,
    status: s.status,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events,
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({ ...l, context: posted(l.context) })),
    droppedLinksCount: s.droppedLinksCount,
    resource: indexOf(resources, s.resource),
    scope: indexOf(scopes, s.instrumentationScope),
  }));
  return {
    spans: data,
    resources: [...resources.keys()].map((r) => {
      const { attributes, schemaUrl } = r as ReadableSpan['resource'];
      return { attributes, schemaUrl };
    }),
    scopes: [...scopes.keys()],
  };
}

/**
 * The SDK's OTLP/HTTP exporter, run on a thread of its own: encoding and
 * sending thousands of spans a second on the app's event loop cost about a
 * tenth of its verifications (`npm run bench:tracing`); here the loop only
 * copies each batch's data. Configured as the SDK's own would be, by the
 * standard `OTEL_EXPORTER_OTLP_*` variables of `env`; the batch processor in
 * front of it (`OTEL_BSP_*`) stays the SDK's. A batch is done when the thread
 * says it was sent, so the processor's queue and timeout still hold; if the
 * thread dies, each batch fails (the SDK drops it) and the app goes on.
 */
export class OffThreadSpanExporter implements SpanExporter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private lastId = 0;
  private gone?: string;

  constructor(env: NodeJS.ProcessEnv) {
    const protocol =
      env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ||
      env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() ||
      'http/protobuf';
    const entry = createRequire(import.meta.url).resolve(
      OTLP_EXPORTERS[protocol] ?? OTLP_EXPORTERS['http/protobuf'],
    );
    this.worker = new Worker(OFF_THREAD_EXPORTER_SOURCE, {
      eval: true,
      env,
      workerData: { entry },
    });
    // Spans must not keep the app alive; shutdown() holds it while flushing.
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => {
      const settle = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      settle?.(answer);
    });
    this.worker.on('error', (error) => this.end(error.message));
    this.worker.on('exit', (code) => this.end(`exited with code ${code}`));
  }

  export(
    spans: ReadableSpan[],
    resultCallback: (result: ExportResult) => void,
  ): void {
    this.ask({ op: 'export', batch: batchOf(spans) }).then((answer) =>
      resultCallback(
        answer.code === ExportResultCode.SUCCESS
          ? { code: ExportResultCode.SUCCESS }
          : { code: ExportResultCode.FAILED, error: new Error(answer.error) },
      ),
    );
  }

  async forceFlush(): Promise<void> {
    await this.settled('flush');
  }

  async shutdown(): Promise<void> {
    if (this.gone) return;
    this.worker.ref();
    await this.settled('shutdown');
    await this.worker.terminate();
  }

  private async settled(op: 'flush' | 'shutdown'): Promise<void> {
    const answer = await this.ask({ op });
    if (answer.code !== ExportResultCode.SUCCESS) {
      throw new Error(`span export ${op}: ${answer.error}`);
    }
  }

  private ask(message: object): Promise<Answer> {
    const id = ++this.lastId;
    if (this.gone) {
      const error = `the span export thread ${this.gone}`;
      return Promise.resolve({ id, code: ExportResultCode.FAILED, error });
    }
    return new Promise((settle) => {
      try {
        // A worker's port, not a window: there is no origin to name.
        // oxlint-disable-next-line unicorn/require-post-message-target-origin
        this.worker.postMessage({ id, ...message });
        this.waiting.set(id, settle);
      } catch (error) {
        // A value the thread cannot be sent: this batch fails, not the app.
        settle({ id, code: ExportResultCode.FAILED, error: String(error) });
      }
    });
  }

  /** The thread is gone: what waits for it fails, and so will what comes. */
  private end(why: string): void {
    this.gone ??= why;
    const error = `the span export thread ${this.gone}`;
    for (const [id, settle] of this.waiting) {
      settle({ id, code: ExportResultCode.FAILED, error });
    }
    this.waiting.clear();
  }
}
