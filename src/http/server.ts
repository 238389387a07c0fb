// The HTTP server around the app, with deliberate limits so slow, greedy or stalled clients cannot
// hold it: time limits, a header limit, a bound on pipelined requests per connection, and a watchdog
// that closes connections whose answers make no write progress. Errors node answers itself (bad
// framing, timeouts, oversized headers) carry the same problem+json body as every other error.
import { createServer, type RequestListener, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { type ProblemKey, problemBody } from "./problems.js";

export interface ServerLimits {
  /** Time allowed to receive the request headers. */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive the whole request. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; above common load balancers' 60 s. */
  readonly keepAliveTimeoutMs: number;
  /** Largest header block accepted (431 beyond it). */
  readonly maxHeaderSize: number;
  /** How often expired and stalled connections are looked for. */
  readonly checkIntervalMs: number;
  /** Requests a connection may have waiting for their answers; a client pipelining more is cut off. */
  readonly maxPipelined: number;
  /** How long answers may sit unsent (the client reads nothing) before the connection is closed. */
  readonly writeStallMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  maxHeaderSize: 16 * 1024,
  checkIntervalMs: 1_000,
  maxPipelined: 16,
  writeStallMs: 5_000,
};

const CLIENT_ERRORS: Readonly<Record<string, { key: ProblemKey; detail: string }>> = {
  HPE_HEADER_OVERFLOW: {
    key: "headersTooLarge",
    detail: "The request's headers must not exceed the server's limit.",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    key: "requestTimeout",
    detail: "The request was not received within the time allowed.",
  },
};
const MALFORMED = { key: "badRequest", detail: "The HTTP request could not be parsed." } as const;

/** The whole answer, bytes on the wire, for an error raised before there is a request to answer. */
function rawProblem(code: string | undefined): string {
  const { key, detail } = (code !== undefined ? CLIENT_ERRORS[code] : undefined) ?? MALFORMED;
  const body = JSON.stringify(problemBody(key, detail));
  return [
    `HTTP/1.1 ${problemBody(key).status} ${STATUS_CODES[problemBody(key).status] ?? ""}`,
    "content-type: application/problem+json",
    `content-length: ${Buffer.byteLength(body)}`,
    "cache-control: no-store",
    "x-content-type-options: nosniff",
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

interface Progress {
  inFlight: number;
  written: number;
  stalledSince: number | undefined;
}

export function createHttpServer(app: RequestListener, tuning: Partial<ServerLimits> = {}): Server {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...tuning };
  const connections = new Map<Socket, Progress>();
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      const progress = connections.get(req.socket);
      if (progress !== undefined) {
        progress.inFlight += 1;
        if (progress.inFlight > limits.maxPipelined) {
          req.socket.destroy();
          return;
        }
        res.once("close", () => {
          progress.inFlight -= 1;
        });
      }
      app(req, res);
    },
  );
  // The socket itself may not sit silent much longer than a whole request may take (a little
  // longer, so that a request too slow to arrive gets its 408 first).
  server.setTimeout(limits.requestTimeoutMs + 2 * limits.checkIntervalMs);

  server.on("connection", (socket: Socket) => {
    connections.set(socket, { inFlight: 0, written: 0, stalledSince: undefined });
    socket.once("close", () => connections.delete(socket));
  });
  // A client that stops reading: its answers queue in memory, so its connection goes.
  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const [socket, progress] of connections) {
      // bytesWritten counts what is still queued too; what has left is the difference.
      const sent = socket.bytesWritten - socket.writableLength;
      if (socket.writableLength === 0 || sent !== progress.written) {
        progress.written = sent;
        progress.stalledSince = undefined;
      } else if (progress.stalledSince === undefined) {
        progress.stalledSince = now;
      } else if (now - progress.stalledSince >= limits.writeStallMs) {
        socket.destroy();
      }
    }
  }, limits.checkIntervalMs);
  watchdog.unref();
  server.once("close", () => clearInterval(watchdog));

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // An answer already under way on this connection must not be interleaved with another.
    const attached = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || attached?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(rawProblem(error.code));
  });
  return server;
}
