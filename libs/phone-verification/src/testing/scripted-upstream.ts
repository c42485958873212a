import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the scripted upstream received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
  /** When the request's headers arrived (ms since epoch). */
  receivedAt: number;
}

/** What the scripted upstream does with one request. */
export type UpstreamAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; rawBody: string; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true }
  /** A 200 whose JSON body arrives one byte every `intervalMs`. */
  | { trickleEveryMs: number }
  /** A 200 whose body is `bytes` long (past any sane size limit). */
  | { oversizedBytes: number };

/**
 * A tiny real HTTP server on a loopback port chosen by the OS, answering each
 * request as the test scripts it (any status or body, a reset, a hang, a
 * trickle, an oversized body) and recording what it received. Point the
 * module's `baseUrl` at it to test how your code handles each failure, the
 * way the official `@nestjs/axios` tests exercise a transport, without
 * mocking axios. Unlike the sandbox, it knows nothing of AceData's rules.
 */
export class ScriptedUpstream {
  readonly requests: RecordedRequest[] = [];
  private script: (request: RecordedRequest) => UpstreamAnswer = () => ({
    status: 200,
    body: {
      result: '0',
      description: 'Authentication passed',
      isp: 'Mobile',
      result_detail: null,
    },
  });
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const receivedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawBody,
          body,
          receivedAt,
        };
        this.requests.push(recorded);
        this.answer(this.script(recorded), res);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1, port 0. */
  static async start(): Promise<ScriptedUpstream> {
    const upstream = new ScriptedUpstream();
    await new Promise<void>((resolve) =>
      upstream.server.listen(0, '127.0.0.1', resolve),
    );
    return upstream;
  }

  /** The base URL to give the library. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Sets how the next requests are answered. */
  respond(
    script: UpstreamAnswer | ((request: RecordedRequest) => UpstreamAnswer),
  ): void {
    this.script = typeof script === 'function' ? script : () => script;
  }

  /** Forgets the recorded requests. */
  reset(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(answer: UpstreamAnswer, res: ServerResponse): void {
    if ('reset' in answer) {
      res.socket?.resetAndDestroy();
      return;
    }
    if ('hang' in answer) return;
    if ('trickleEveryMs' in answer) {
      const text = JSON.stringify({ result: '0', description: 'x'.repeat(64) });
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= text.length) {
          clearInterval(timer);
          this.timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(text[sent++]);
      }, answer.trickleEveryMs);
      this.timers.add(timer);
      return;
    }
    if ('oversizedBytes' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `{"result":"0","description":"${'x'.repeat(answer.oversizedBytes)}"}`,
      );
      return;
    }
    const text =
      'rawBody' in answer ? answer.rawBody : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'rawBody' in answer ? 'text/html' : 'application/json',
      ...answer.headers,
    });
    res.end(text);
  }
}
