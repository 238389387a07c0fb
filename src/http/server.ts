// The HTTP server around the app, with deliberate limits so slow or greedy clients cannot hold it.
import { createServer, type RequestListener, type Server } from "node:http";

export interface ServerLimits {
  /** Time allowed to receive the request headers. */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive the whole request. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; above common load balancers' 60 s. */
  readonly keepAliveTimeoutMs: number;
  /** Largest header block accepted (431 beyond it). */
  readonly maxHeaderSize: number;
  /** How often expired connections are looked for. */
  readonly checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  maxHeaderSize: 16 * 1024,
  checkIntervalMs: 1_000,
};

export function createHttpServer(
  app: RequestListener,
  limits: ServerLimits = DEFAULT_LIMITS,
): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    app,
  );
  // The socket itself may not sit silent longer than a whole request may take.
  server.setTimeout(limits.requestTimeoutMs);
  return server;
}
