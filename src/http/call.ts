// One call's state, carried as one typed argument through authentication, body reading, validation and the handler.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AuthOutcome } from "../auth/index.js";
import type { Runtime } from "../runtime.js";
import { type BodyOutcome, NO_BODY } from "./body.js";

export interface Call {
  /** Sent back as X-Request-Id and as a problem's `instance`, and on the call's log line. */
  readonly id: string;
  /** The configuration the call arrived under: a reload never changes it mid-call. */
  readonly runtime: Runtime;
  readonly startedAt: number;
  readonly request: IncomingMessage;
  /** Set once the headers have been checked, for operations that need credentials. */
  auth: AuthOutcome | undefined;
  /** Read only for an authenticated call. */
  body: BodyOutcome;
  /** Fields for the call's one log line (decision, reason, ...), never an address or a secret. */
  log: Record<string, unknown> | undefined;
  /** The log message, when the call's outcome has a name of its own. */
  message: string | undefined;
}

export function startCall(runtime: Runtime, request: IncomingMessage): Call {
  return {
    id: randomUUID(),
    runtime,
    startedAt: performance.now(),
    request,
    auth: undefined,
    body: NO_BODY,
    log: undefined,
    message: undefined,
  };
}
