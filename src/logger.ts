// Structured JSON logs (pino) that never carry secrets, tokens or full email addresses.
import { type Logger, pino } from "pino";
import type { LogLevel } from "./config/index.js";

/** Headers worth keeping in a request log line; everything else (authorization, cookies) is dropped. */
const LOGGED_HEADERS = ["user-agent", "x-okta-request-id", "content-type", "content-length"];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "okta-registration-hook" },
    // A second line of defence should a caller log a whole request or config object.
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "*.secret",
        "*.secrets",
        "secret",
        "secrets",
        "token",
      ],
      censor: "[redacted]",
    },
  };
  return pino(options, destination ?? stdoutDestination());
}

/**
 * Standard output, written synchronously. pino's default writes asynchronously, at most 16 KiB per
 * turn of the event loop; under sustained load (64 connections here) calls outran it and the
 * backlog grew without bound (26 MiB of unwritten lines after 20 s). A synchronous write costs
 * less CPU than the queue did, keeps every line in order up to a crash, and a stalled reader of
 * the log slows the service down rather than filling its memory.
 */
function stdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/** The request as a log line shows it: id, method, path without the query, a few harmless headers. */
export function requestSummary(
  id: string,
  req: { method?: string | undefined; url?: string | undefined; headers: Record<string, unknown> },
) {
  const headers: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  }
  // The query string is left out: nothing the hook needs is there, and a caller could put anything in it.
  const url = req.url ?? "";
  const query = url.indexOf("?");
  return { id, method: req.method, path: query === -1 ? url : url.slice(0, query), headers };
}
