// The reasons the service sends in errorCauses[].reason, and their built-in English messages.

export const BUILT_IN_REASONS = [
  "INVALID_EMAIL_DOMAIN",
  "INVALID_EMAIL",
  "MISSING_EMAIL",
  "DENIED_EMAIL_DOMAIN",
  "DENIED_EMAIL_ADDRESS",
  "DISPOSABLE_EMAIL",
  "FREE_EMAIL_PROVIDER",
] as const;
export type BuiltInReason = (typeof BUILT_IN_REASONS)[number];
/** A built-in reason or one a policy rule names (`^[A-Z][A-Z0-9_]{0,63}$`). */
export type Reason = string;

/** The messages key of the whole error's summary; not a reason a rule may send. */
export const SUMMARY_KEY = "REGISTRATION_DENIED";

/**
 * What the person signing up reads; stable wording, no policy details. The first three are
 * today's (src/policy/answer.ts DENY_MESSAGES), word for word.
 */
export const BUILT_IN_MESSAGES: Readonly<Record<BuiltInReason | typeof SUMMARY_KEY, string>> = {
  INVALID_EMAIL_DOMAIN: "Registration is not open to email addresses at this domain.",
  INVALID_EMAIL: "Enter a valid email address.",
  MISSING_EMAIL: "An email address is required to register.",
  DENIED_EMAIL_DOMAIN: "Email addresses at this domain cannot be used to register.",
  DENIED_EMAIL_ADDRESS: "This email address cannot be used to register.",
  DISPOSABLE_EMAIL: "Disposable email addresses cannot be used to register. Use a permanent one.",
  FREE_EMAIL_PROVIDER: "Register with your work email address.",
  REGISTRATION_DENIED: "Registration denied: the email address was not accepted.",
};

/** Reasons that come from the address itself, before any rule: never a rule's to give. */
export const STRUCTURAL_REASONS: ReadonlySet<string> = new Set(["INVALID_EMAIL", "MISSING_EMAIL"]);
