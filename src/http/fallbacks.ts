// The answers to every call that does not reach an operation handler: bad body, invalid request,
// failed authentication, no such path or method, and internal failures under the fail mode.
import type { ServerResponse } from "node:http";
import type { ErrorObject } from "ajv";
import type { HookMetrics } from "../metrics.js";
import type { BodyOutcome } from "./body.js";
import type { Call } from "./call.js";
import { describeValidationErrors } from "./fieldErrors.js";
import { sendProblem } from "./problems.js";
import { send } from "./respond.js";

type Refused = Extract<BodyOutcome, { ok: false }>;

export interface Fallbacks {
  /** The body could not be read or parsed (413, 415, 400). */
  body(res: ServerResponse, call: Call, outcome: Refused): void;
  /** The request does not match the operation's schema (400 with the fields at fault). */
  invalid(res: ServerResponse, call: Call, errors: readonly ErrorObject[]): void;
  /** The credentials are missing or wrong (401), or cannot be checked right now (fail mode). */
  unauthorized(res: ServerResponse, call: Call): void;
  notFound(res: ServerResponse, call: Call): void;
  /** 405 with the methods the path does take, as RFC 9110 requires. */
  methodNotAllowed(res: ServerResponse, call: Call, method: string, allow: string): void;
  /** FAIL_MODE: closed answers 500 (Okta retries once, then denies); open answers a hook call 204. */
  internal(res: ServerResponse, call: Call, hookCall: boolean, error?: unknown): void;
}

export function createFallbacks(metrics: HookMetrics): Fallbacks {
  const internal: Fallbacks["internal"] = (res, call, hookCall, error) => {
    const { failMode } = call.runtime.config;
    metrics.failures.inc({ fail_mode: failMode });
    call.message ??= "request failed";
    if (error !== undefined) call.log = { ...call.log, err: error };
    if (failMode === "open" && hookCall && !res.headersSent) {
      send(res, call, 204, "application/json", "");
      return;
    }
    sendProblem(res, call, "internalError", "The service could not handle the request.");
  };
  return {
    body: (res, call, outcome) => {
      metrics.validationFailures.inc({ kind: outcome.problem });
      sendProblem(res, call, outcome.problem, outcome.detail);
    },
    invalid: (res, call, errors) => {
      metrics.validationFailures.inc({ kind: "invalidRequest" });
      // openapi-backend re-parses a body that is not an object (a JSON string, say) as JSON text
      // and reports a "parse" error; the body was parsed here already, so that error is noise.
      const fields = describeValidationErrors(errors.filter((e) => e.keyword !== "parse"));
      sendProblem(
        res,
        call,
        "invalidRequest",
        `Invalid request: ${fields.map((e) => e.field).join(", ")}.`,
        fields,
      );
    },
    unauthorized: (res, call) => {
      const outcome = call.auth;
      const reason = outcome && !outcome.ok ? outcome.reason : "missing";
      if (reason === "keys-unavailable") {
        call.message = "cannot verify the bearer token: no signing keys from the JWKS endpoint";
        internal(res, call, true);
        return;
      }
      metrics.authFailures.inc({ reason });
      call.message = "authentication failed";
      call.log = { reason };
      // RFC 6750 section 3.1: a request without credentials gets the challenge without an error code.
      const challenge =
        call.runtime.auth.mode === "oauth"
          ? ["www-authenticate", reason === "missing" ? "Bearer" : 'Bearer error="invalid_token"']
          : [];
      sendProblem(
        res,
        call,
        "unauthorized",
        "The authentication header is missing or wrong.",
        undefined,
        challenge,
      );
    },
    notFound: (res, call) => sendProblem(res, call, "notFound", "No operation at this path."),
    methodNotAllowed: (res, call, method, allow) =>
      sendProblem(res, call, "methodNotAllowed", `${method} is not allowed here.`, undefined, [
        "allow",
        allow,
      ]),
    internal,
  };
}
