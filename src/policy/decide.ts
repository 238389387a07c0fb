// The request kinds and address fields every decision starts from (the engine uses them), and
// the allow-list decision as it stood before the policy engine: a pure function from a request
// and a domain list to a decision. The service decides with src/policy/engine/; this one stays
// as the reference the engine is proven against for ALLOWED_DOMAINS (test/policy-properties.test.ts
// checks that both give the same answers), so change the engine, not this, to change a decision.
import type { RegistrationHookRequest, SubmittedProfile } from "../spec.js";
import { type DomainPolicy, isDomainAllowed, parseEmailAddress } from "./domains.js";

export type RequestKind = "self.service.registration" | "progressive.profile";
export type DenyReason = "INVALID_EMAIL_DOMAIN" | "INVALID_EMAIL" | "MISSING_EMAIL";

/** The profile attributes that can hold an address, in the order they are checked and reported. */
const ADDRESS_FIELDS = ["email", "login"] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

export interface Refusal {
  readonly reason: DenyReason;
  readonly field: AddressField;
  /** The address's ASCII domain, when the address parsed; never the address itself. */
  readonly domain?: string;
}

export type Decision =
  | { readonly outcome: "allow"; readonly kind: RequestKind; readonly domains: readonly string[] }
  | {
      readonly outcome: "deny";
      readonly kind: RequestKind;
      /** The first refusal is the one the person sees first; there is one a failing field. */
      readonly refusals: readonly [Refusal, ...Refusal[]];
    };

/** Identity Engine says what it is; Classic (no requestType) is registration unless it only carries an update. */
export function requestKind(request: RegistrationHookRequest): RequestKind {
  if (request.requestType === "progressive.profile") return "progressive.profile";
  if (request.requestType === "self.service.registration") return "self.service.registration";
  return "userProfile" in request.data ? "self.service.registration" : "progressive.profile";
}

function submittedProfile(request: RegistrationHookRequest, kind: RequestKind): SubmittedProfile {
  const data = request.data as {
    userProfile?: SubmittedProfile;
    userProfileUpdate?: SubmittedProfile;
  };
  return (kind === "progressive.profile" ? data.userProfileUpdate : data.userProfile) ?? {};
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

/**
 * A login is checked only when it is meant as an address (it has an `@`); Okta allows
 * plain user names there. `email` is always an address when present.
 */
function holdsAddress(field: AddressField, value: unknown): boolean {
  if (!isPresent(value)) return false;
  return field === "email" || typeof value !== "string" || value.includes("@");
}

export function decide(request: RegistrationHookRequest, policy: DomainPolicy): Decision {
  const kind = requestKind(request);
  const profile = submittedProfile(request, kind);
  const refusals: Refusal[] = [];
  const domains: string[] = [];
  let addresses = 0;
  for (const field of ADDRESS_FIELDS) {
    const value = profile[field];
    if (!holdsAddress(field, value)) continue;
    addresses += 1;
    const parsed = parseEmailAddress(value);
    if (!parsed.ok) {
      refusals.push({ reason: "INVALID_EMAIL", field });
    } else if (!isDomainAllowed(parsed.domain, policy)) {
      refusals.push({ reason: "INVALID_EMAIL_DOMAIN", field, domain: parsed.domain });
    } else {
      if (!domains.includes(parsed.domain)) domains.push(parsed.domain);
    }
  }
  // A registration must carry an address; a progressive update that changes none has nothing to check.
  if (addresses === 0 && kind === "self.service.registration") {
    refusals.push({ reason: "MISSING_EMAIL", field: "email" });
  }
  const [first, ...rest] = refusals;
  return first === undefined
    ? { outcome: "allow", kind, domains }
    : { outcome: "deny", kind, refusals: [first, ...rest] };
}
