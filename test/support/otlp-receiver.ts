import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** One span as the receiver decoded it, whichever protocol carried it. */
export interface ReceivedSpan {
  readonly scope: string;
  readonly name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** OTLP's numbering: 0 unset, 1 ok, 2 error. */
  readonly status: { code: number; message: string };
  readonly events: readonly unknown[];
}

/** The part of OTLP's trace schema the tests read (unknown fields are skipped). */
const SCHEMA = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Scope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; repeated KeyValue attributes = 9;
  repeated Event events = 11; Status status = 15;
}
message Event { string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3;
    double double_value = 4; ArrayValue array_value = 5; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
`;
const REQUEST = protobuf
  .parse(SCHEMA, { keepCase: true })
  .root.lookupType('ExportTraceServiceRequest');

interface WireValue {
  string_value?: string;
  stringValue?: string;
  bool_value?: boolean;
  boolValue?: boolean;
  int_value?: number | string;
  intValue?: number | string;
  double_value?: number;
  doubleValue?: number;
  array_value?: { values?: WireValue[] };
  arrayValue?: { values?: WireValue[] };
}
interface WireKeyValue {
  key: string;
  value?: WireValue;
}

function valueOf(value: WireValue | undefined): unknown {
  if (!value) return undefined;
  const array = value.array_value ?? value.arrayValue;
  if (array) return (array.values ?? []).map(valueOf);
  const int = value.int_value ?? value.intValue;
  if (int !== undefined) return Number(int);
  return (
    value.string_value ??
    value.stringValue ??
    value.bool_value ??
    value.boolValue ??
    value.double_value ??
    value.doubleValue
  );
}

function attributesOf(list: WireKeyValue[] | undefined) {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** Hex of an id: protobuf sends bytes, OTLP/JSON sends hex already. */
function hexOf(id: unknown): string {
  if (typeof id === 'string') return id.toLowerCase();
  return id instanceof Uint8Array ? Buffer.from(id).toString('hex') : '';
}

/**
 * A real OTLP/HTTP trace receiver on a loopback port chosen by the OS: it
 * accepts `POST /v1/traces` in `http/protobuf` or `http/json`, decodes
 * every span, and keeps every body as received, for scanning.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every request's body as received, and its content type. */
  readonly bodies: { contentType: string; body: Buffer }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const receiver: OtlpReceiver = new OtlpReceiver(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const contentType = req.headers['content-type'] ?? '';
          const body = Buffer.concat(chunks);
          receiver.bodies.push({ contentType, body });
          try {
            receiver.decode(contentType, body);
            res.writeHead(200, { 'content-type': contentType });
            res.end(contentType.includes('json') ? '{}' : '');
          } catch {
            res.writeHead(400).end();
          }
        });
      }),
    );
    await new Promise<void>((resolve) =>
      receiver.server.listen(0, '127.0.0.1', resolve),
    );
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Waits until `test` holds of the spans received (or throws after `timeoutMs`). */
  async until(
    test: (spans: ReceivedSpan[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.spans)) {
      if (Date.now() > deadline) {
        throw new Error(
          `spans never arrived: ${JSON.stringify(this.spans.map((s) => [s.scope, s.name, s.traceId]))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private decode(contentType: string, body: Buffer): void {
    const request = contentType.includes('json')
      ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>)
      : REQUEST.toObject(REQUEST.decode(body), { longs: Number });
    const resourceSpans = (request.resource_spans ??
      request.resourceSpans ??
      []) as Record<string, unknown>[];
    for (const resource of resourceSpans) {
      const scopeSpans = (resource.scope_spans ??
        resource.scopeSpans ??
        []) as Record<string, unknown>[];
      for (const scoped of scopeSpans) {
        const scope = (scoped.scope as { name?: string } | undefined)?.name;
        for (const span of (scoped.spans ?? []) as Record<string, unknown>[]) {
          const status = (span.status ?? {}) as {
            code?: number;
            message?: string;
          };
          this.spans.push({
            scope: scope ?? '',
            name: span.name as string,
            kind: Number(span.kind ?? 0),
            traceId: hexOf(span.trace_id ?? span.traceId),
            spanId: hexOf(span.span_id ?? span.spanId),
            parentSpanId: hexOf(span.parent_span_id ?? span.parentSpanId),
            attributes: attributesOf(span.attributes as WireKeyValue[]),
            status: { code: status.code ?? 0, message: status.message ?? '' },
            events: (span.events ?? []) as unknown[],
          });
        }
      }
    }
  }
}
