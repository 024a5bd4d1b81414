import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';
import { log } from '../logger';
import { refuseRequest } from '../metrics/registry';

/** After the last connection was asked to close, how long it may take before it is destroyed. */
const CLOSE_MS = 1_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Graceful shutdown of an HTTP server, in this order:
 * 1. stop accepting connections (the listening socket closes; connections already open stay);
 * 2. a request that arrives on an open (kept-alive) connection is answered 503 `SHUTTING_DOWN` with
 *    `Connection: close`, and responses to requests already running carry `Connection: close`;
 * 3. requests in flight run to their end, for at most the grace period;
 * 4. idle connections are ended; connections still busy when the grace period is over are destroyed.
 *
 * A connection is closed only after a response that said `Connection: close`, or when it is idle at the end. Apollo's
 * drain plugin ended a kept-alive connection right after a response that did not say so, and a client that had
 * queued its next request for that connection got ECONNRESET; Node's own `server.close()` destroys idle connections
 * at once, including kept-alive ones whose next request is already in the socket's buffer but not read yet (likely
 * while the event loop is busy, as it is with an in-process database). Here the listener is closed alone.
 */
export class HttpDrain {
  /** Requests whose response has not ended, per open connection. */
  private readonly pending = new Map<Socket, number>();
  /** Responses not ended yet. */
  private readonly responses = new Set<ServerResponse>();
  private draining: Promise<void> | null = null;
  private onIdle: (() => void) | null = null;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.pending.set(socket, 0);
      socket.once('close', () => this.pending.delete(socket));
    });
  }

  /** The server's request handler, refusing requests once the drain has begun. */
  wrap(handler: Handler): Handler {
    return (req, res) => {
      const socket = req.socket;
      this.pending.set(socket, (this.pending.get(socket) ?? 0) + 1);
      this.responses.add(res);
      res.once('close', () => this.ended(socket, res));
      if (this.draining) return refuse(req, res);
      handler(req, res);
    };
  }

  /** Requests whose response has not ended. */
  inFlight(): number {
    let n = 0;
    for (const c of this.pending.values()) n += c;
    return n;
  }

  /** Drains as described on the class; resolves when every connection is closed. Safe to call twice. */
  stop(graceMs: number): Promise<void> {
    return (this.draining ??= this.drain(graceMs));
  }

  private async drain(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      // net.Server's close, not http.Server's: the latter would also destroy idle connections at once (see above).
      NetServer.prototype.close.call(this.server, () => resolve());
    });
    const inFlight = this.inFlight();
    log.info('http draining', { inFlight, connections: this.pending.size, graceMs });
    // Responses not started yet close their connection when they end.
    for (const res of this.responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      this.onIdle = null;
    }
    const cut = this.inFlight();
    if (cut > 0) log.warn('http drain: grace period over, requests still running are cut', { requests: cut, graceMs });
    for (const [socket, n] of this.pending) {
      if (n === 0) socket.end();
      else socket.destroy();
    }
    const force = setTimeout(() => {
      for (const socket of this.pending.keys()) socket.destroy();
    }, CLOSE_MS);
    await closed;
    clearTimeout(force);
  }

  private ended(socket: Socket, res: ServerResponse): void {
    this.responses.delete(res);
    const left = (this.pending.get(socket) ?? 1) - 1;
    if (this.pending.has(socket)) this.pending.set(socket, left);
    if (this.onIdle && this.inFlight() === 0) this.onIdle();
  }
}

/**
 * 503 SHUTTING_DOWN with `Connection: close`, sent once the request's body has arrived: closing a connection with
 * unread data resets it, and the client would see ECONNRESET instead of the answer.
 */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  refuseRequest('shutting_down', { address: req.socket.remoteAddress ?? null });
  const body = JSON.stringify({
    errors: [{ message: 'the server is shutting down: retry the request (on another replica, or once it has restarted)', extensions: { code: 'SHUTTING_DOWN' } }],
  });
  const send = () => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close', 'Retry-After': '1' });
    res.end(body);
  };
  req.once('end', send);
  req.once('error', () => res.destroy());
  req.resume();
}
