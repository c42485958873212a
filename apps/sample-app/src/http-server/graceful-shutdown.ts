import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Drains an HTTP server for a graceful stop, the same way on Express and on
 * Fastify (both serve through Node's `http.Server`):
 * - stop accepting connections;
 * - close idle keep-alive sockets at once;
 * - answer requests in flight, and any still arriving on open sockets, with
 *   `Connection: close`, and close each socket once its last answer is sent;
 * - resolve when no request is in flight and every socket is closed.
 * Node's `server.close()` alone waits for busy keep-alive clients, which may
 * keep sending for ever.
 */
export class GracefulShutdown {
  /** The answers in progress on each open socket. */
  private readonly inFlightBySocket = new Map<Socket, Set<ServerResponse>>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.inFlightBySocket.set(socket, new Set());
      socket.once('close', () => this.inFlightBySocket.delete(socket));
    });
    // Before the framework's own listener, so the header is set in time.
    server.prependListener('request', (req, res) => this.track(req, res));
  }

  /** Requests being answered right now. */
  inFlight(): number {
    let total = 0;
    for (const answers of this.inFlightBySocket.values()) total += answers.size;
    return total;
  }

  /** Starts draining; resolves once every request and socket is done. */
  drain(): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => resolve()),
    );
    for (const [socket, answers] of this.inFlightBySocket) {
      if (answers.size === 0) socket.destroy();
      for (const res of answers) closeAfter(res);
    }
    return closed;
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const answers = this.inFlightBySocket.get(socket);
    if (!answers) return;
    answers.add(res);
    if (this.draining) closeAfter(res);
    res.once('close', () => {
      answers.delete(res);
      if (this.draining && answers.size === 0) socket.end();
    });
  }
}

/** Asks for the connection to close after this answer, if still possible. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
