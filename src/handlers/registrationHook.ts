// POST /registrationHook: decide by email domain and answer with Okta's commands.

import type { HookMetrics } from "../metrics.js";
import { serialiseResponse } from "../policy/answer.js";
import { decide } from "../policy/decide.js";
import { type RuntimeHolder, runtimeOf } from "../runtime.js";
import type { OperationHandler } from "./types.js";

/** Okta's event ids are short tokens; anything else (an address, a megabyte) stays out of the logs. */
const LOGGABLE_EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function loggableEventId(eventId: unknown): string | undefined {
  return typeof eventId === "string" && LOGGABLE_EVENT_ID.test(eventId) ? eventId : undefined;
}

export function createRegistrationHook(
  holder: RuntimeHolder,
  metrics: HookMetrics,
): OperationHandler<"registrationHook"> {
  return (c, req, res) => {
    const request = c.request.requestBody;
    const decision = decide(request, runtimeOf(res, holder).config.allowedDomains);
    const first = decision.outcome === "deny" ? decision.refusals[0] : undefined;
    metrics.decisions.inc({
      decision: decision.outcome,
      reason: first?.reason ?? "",
      request_type: decision.kind,
    });
    req.log.info(
      {
        eventId: loggableEventId(request.eventId),
        requestType: decision.kind,
        decision: decision.outcome,
        reason: first?.reason,
        field: first?.field,
        emailDomains:
          decision.outcome === "allow"
            ? decision.domains
            : decision.refusals.flatMap((r) => (r.domain === undefined ? [] : [r.domain])),
      },
      "registration hook decision",
    );
    return res.status(200).type("application/json").send(serialiseResponse(decision));
  };
}
