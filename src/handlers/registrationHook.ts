// POST /registrationHook: decide by email domain and answer with Okta's commands.
import type { Config } from "../config.js";
import { serialiseResponse } from "../hook.js";
import { decide } from "../policy/decide.js";
import type { OperationHandler } from "./types.js";

export function createRegistrationHook(config: Config): OperationHandler<"registrationHook"> {
  const policy = config.allowedDomains;
  return (c, req, res) => {
    const request = c.request.requestBody;
    const decision = decide(request, policy);
    const first = decision.outcome === "deny" ? decision.refusals[0] : undefined;
    req.log.info(
      {
        eventId: request.eventId,
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
    res.locals.outcome = decision.outcome;
    return res.status(200).type("application/json").send(serialiseResponse(decision));
  };
}
