// POST /registrationHook: evaluate the registration policy and answer with Okta's commands.
import { send } from "../http/respond.js";
import type { HookMetrics } from "../metrics.js";
import { evaluatePolicy, serialiseAnswer } from "../policy/engine/index.js";
import type { OperationHandler } from "./types.js";

/** Okta's event ids are short tokens; anything else (an address, a megabyte) stays out of the logs. */
const LOGGABLE_EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function loggableEventId(eventId: unknown): string | undefined {
  return typeof eventId === "string" && LOGGABLE_EVENT_ID.test(eventId) ? eventId : undefined;
}

export function createRegistrationHook(metrics: HookMetrics): OperationHandler<"registrationHook"> {
  return ({ body: request }, res, call) => {
    const { policy } = call.runtime.config;
    const verdict = evaluatePolicy(request, policy);
    const first = verdict.refusals[0];
    metrics.decided(verdict.outcome, first?.reason ?? "", verdict.kind);
    for (const finding of verdict.reportOnly) {
      metrics.reportedOnly(finding.rule, finding.reason ?? finding.action.toUpperCase());
    }
    call.message = "registration hook decision";
    call.log = {
      eventId: loggableEventId(request.eventId),
      requestType: verdict.kind,
      decision: verdict.outcome,
      reason: first?.reason,
      field: first?.field,
      rules: verdict.addresses.map((a) => a.rule),
      ...(verdict.reportOnly.length === 0
        ? {}
        : { reportOnly: verdict.reportOnly.map((f) => `${f.rule}:${f.reason ?? f.action}`) }),
      policyVersion: policy.version,
      // On a denial, the domains that were refused; on an allowance, every domain checked.
      emailDomains: [
        ...new Set(
          verdict.addresses.flatMap((a) =>
            a.domain === undefined || (verdict.outcome === "deny" && a.outcome !== "deny")
              ? []
              : [a.domain],
          ),
        ),
      ],
    };
    send(res, call, 200, "application/json", serialiseAnswer(verdict, policy));
  };
}
