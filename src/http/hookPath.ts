// The hot path: POST /registrationHook answered in front of express, doing per call only what the
// contract requires (authenticate from the headers, read the body, validate it with the spec's
// compiled schema, decide, answer). Every other request, and every failure, takes the general path's
// answers: the same fallbacks, the same handler.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OperationHandler } from "../handlers/types.js";
import type { RegistrationHookRequest } from "../spec.js";
import { readBody } from "./body.js";
import type { Call } from "./call.js";
import type { Fallbacks } from "./fallbacks.js";
import type { RequestValidator } from "./validation.js";

export const HOOK_PATH = "/registrationHook";

/** True for POST /registrationHook, with or without a query string (ignored, as everywhere). */
export function isHookCall(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  return (
    req.method === "POST" &&
    url.startsWith(HOOK_PATH) &&
    (url.length === HOOK_PATH.length || url.charCodeAt(HOOK_PATH.length) === 63) // "?"
  );
}

export function createHookPath(
  handler: OperationHandler<"registrationHook">,
  validate: RequestValidator,
  fallbacks: Fallbacks,
): (req: IncomingMessage, res: ServerResponse, call: Call) => Promise<void> {
  return async (req, res, call) => {
    call.auth = await call.runtime.auth.authenticate(req.headers);
    if (!call.auth.ok) return fallbacks.unauthorized(res, call);
    call.body = await readBody(req);
    if (!call.body.ok) return fallbacks.body(res, call, call.body);
    const errors = validate(req.headers, call.body.value);
    if (errors !== undefined) return fallbacks.invalid(res, call, errors);
    // The schema has just accepted it: it is a RegistrationHookRequest.
    return handler({ body: call.body.value as RegistrationHookRequest }, res, call);
  };
}
