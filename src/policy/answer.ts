// Okta's answer to an allow-list decision (decide.ts): the reference answers the engine's are
// proven against for ALLOWED_DOMAINS, and the allow command the tests compare with. The service
// answers with src/policy/engine/answer.ts.

import type { ErrorCause, RegistrationHookResponse } from "../spec.js";
import type { Decision, DenyReason, Refusal } from "./decide.js";

/** What the person signing up reads beside the field; stable wording, no policy details. */
export const DENY_MESSAGES: Readonly<Record<DenyReason, string>> = {
  INVALID_EMAIL_DOMAIN: "Registration is not open to email addresses at this domain.",
  INVALID_EMAIL: "Enter a valid email address.",
  MISSING_EMAIL: "An email address is required to register.",
};

const DENY_SUMMARY = "Registration denied: the email address was not accepted.";

/**
 * The Sign-In Widget places a cause beside a field when its location names the attribute as
 * `data.userProfile.<name>`; Okta's own progressive profile samples use that path too.
 */
function cause({ reason, field }: Refusal): ErrorCause {
  return {
    errorSummary: DENY_MESSAGES[reason],
    reason,
    locationType: "body",
    location: `data.userProfile.${field}`,
    domain: "end-user",
  };
}

/** The allow answer, as sent. */
export const ALLOW: RegistrationHookResponse = Object.freeze({
  commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
});

/** The allow answer never changes, so it is serialised once. */
export const ALLOW_BODY = JSON.stringify(ALLOW);

export function responseFor(decision: Decision): RegistrationHookResponse {
  if (decision.outcome === "allow") return ALLOW;
  return {
    commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
    error: { errorSummary: DENY_SUMMARY, errorCauses: decision.refusals.map(cause) },
  };
}

export function serialiseResponse(decision: Decision): string {
  return decision.outcome === "allow" ? ALLOW_BODY : JSON.stringify(responseFor(decision));
}
