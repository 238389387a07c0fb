// The decision: a pure function from a hook request and a compiled policy to a verdict. No I/O,
// no regex compiled per call; each address is parsed once (one IDNA conversion, as today).
import type { RegistrationHookRequest, SubmittedProfile } from "../../spec.js";
import { type AddressField, type RequestKind, requestKind } from "../decide.js";
import { isDomainAllowed, parseEmailAddress } from "../domains.js";
import type { Action, CompiledPolicy, CompiledRule, MatchVia, RuleMatch } from "./compile.js";
import { domainAndParents, listMatches } from "./lists.js";
import { normaliseLocale, parentLocale } from "./locale.js";
import type { Reason } from "./reasons.js";
import type { ProfileValue } from "./schema.js";

/** Pseudo rule ids (reserved, so no rule can have them). */
export const DEFAULT_RULE = "default";
export const ADDRESS_RULE = "address";

/** What the policy decided for one address field. */
export interface AddressDecision {
  readonly field: AddressField;
  /** The decision the policy makes; in report mode, the one it would make. */
  readonly outcome: Action;
  /** The deciding rule's id, `default` (no rule matched) or `address` (invalid or missing). */
  readonly rule: string;
  /** Set on a denial. */
  readonly reason?: Reason;
  /** How the deciding rule matched. */
  readonly via?: MatchVia;
  readonly list?: string;
  /** The address's ASCII domain, when it parsed; never the address itself. */
  readonly domain?: string;
}

/** A rule that matched but was not enforced (`enforce: false`, or `mode: report`). */
export interface ReportOnlyFinding {
  readonly rule: string;
  readonly action: Action;
  readonly reason?: Reason;
  readonly field: AddressField;
}

export interface Refusal {
  readonly reason: Reason;
  readonly field: AddressField;
  readonly rule: string;
  readonly domain?: string;
}

export interface Verdict {
  /** What the answer does: in report mode always `allow`. */
  readonly outcome: Action;
  readonly kind: RequestKind;
  /** One per address checked, `email` first; a registration without address has MISSING_EMAIL. */
  readonly addresses: readonly AddressDecision[];
  /** The enforced denials, in the order the person sees them; empty when allowed. */
  readonly refusals: readonly Refusal[];
  readonly reportOnly: readonly ReportOnlyFinding[];
  /**
   * Attributes for a `com.okta.user.profile.update` command: only on an allowed self-service
   * registration in enforce mode, from the enforced allow rules that decided the addresses.
   */
  readonly profile?: Readonly<Record<string, ProfileValue>>;
  /** The negotiated locale (a locale the policy knows, lower-case). */
  readonly locale: string;
}

const ADDRESS_FIELDS = ["email", "login"] as const satisfies readonly AddressField[];

// As in decide.ts: the same profile object and the same notion of "holds an address".
function submittedProfile(request: RegistrationHookRequest, kind: RequestKind): SubmittedProfile {
  const data = request.data as {
    userProfile?: SubmittedProfile;
    userProfileUpdate?: SubmittedProfile;
  };
  return (kind === "progressive.profile" ? data.userProfileUpdate : data.userProfile) ?? {};
}

function holdsAddress(field: AddressField, value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  return field === "email" || typeof value !== "string" || value.includes("@");
}

/**
 * The locale the request carries: `data.userProfile.locale` for a registration,
 * `data.context.user.profile.locale` (the existing user's) for a progressive profile.
 */
export function requestLocale(
  request: RegistrationHookRequest,
  kind = requestKind(request),
): unknown {
  const data = request.data as {
    userProfile?: { locale?: unknown } | null;
    context?: { user?: { profile?: { locale?: unknown } | null } | null } | null;
  };
  if (kind === "progressive.profile") return data.context?.user?.profile?.locale;
  return data.userProfile?.locale;
}

/**
 * The best locale the policy has messages for: the tag (`en_US` and `en-US` alike,
 * case-insensitive), then its shorter prefixes (`de-CH` → `de`), then `defaultLocale`.
 * Anything that is not a language tag of at most 64 characters is ignored.
 */
export function negotiateLocale(raw: unknown, policy: CompiledPolicy): string {
  let tag = normaliseLocale(raw);
  while (tag !== undefined) {
    if (policy.messages.has(tag)) return tag;
    tag = parentLocale(tag);
  }
  return policy.defaultLocale;
}

function matchRule(
  rule: CompiledRule,
  addressKey: string | undefined,
  domain: string,
  candidates: readonly string[] | undefined,
): RuleMatch | undefined {
  if (rule.addresses !== undefined && addressKey !== undefined) {
    if (rule.addresses.has(addressKey)) return rule.byAddress;
  }
  if (rule.domains !== undefined && isDomainAllowed(domain, rule.domains)) return rule.byDomain;
  if (candidates !== undefined) {
    for (let i = 0; i < rule.lists.length; i += 1) {
      const list = rule.lists[i];
      if (list !== undefined && listMatches(list, candidates)) return rule.byList[i];
    }
  }
  return undefined;
}

function decideAddress(
  field: AddressField,
  value: unknown,
  policy: CompiledPolicy,
  reportOnly: ReportOnlyFinding[],
): AddressDecision {
  const parsed = parseEmailAddress(value);
  if (!parsed.ok) return { field, outcome: "deny", rule: ADDRESS_RULE, reason: "INVALID_EMAIL" };
  const { domain } = parsed;
  const candidates = policy.usesLists ? domainAndParents(domain) : undefined;
  // Addresses compare with the local part lower-cased, as the policy's entries were.
  let addressKey: string | undefined;
  for (const rule of policy.rules) {
    if (rule.addresses !== undefined && addressKey === undefined) {
      addressKey = `${parsed.local.toLowerCase()}@${domain}`;
    }
    const match = matchRule(rule, addressKey, domain, candidates);
    if (match === undefined) continue;
    if (!rule.enforced) {
      reportOnly.push(
        match.reason === undefined
          ? { rule: rule.id, action: rule.action, field }
          : { rule: rule.id, action: rule.action, reason: match.reason, field },
      );
      continue;
    }
    const decision: AddressDecision = {
      field,
      outcome: rule.action,
      rule: rule.id,
      via: match.via,
      domain,
      ...(match.list === undefined ? {} : { list: match.list }),
      ...(match.reason === undefined ? {} : { reason: match.reason }),
    };
    return decision;
  }
  return policy.default === "allow"
    ? { field, outcome: "allow", rule: DEFAULT_RULE, domain }
    : { field, outcome: "deny", rule: DEFAULT_RULE, reason: "INVALID_EMAIL_DOMAIN", domain };
}

/**
 * The profile attributes of the allow rules that decided the addresses; on a conflict the
 * earlier address's rule (email before login) wins.
 */
function enrichment(
  policy: CompiledPolicy,
  decisions: readonly AddressDecision[],
): Readonly<Record<string, ProfileValue>> | undefined {
  let first: Readonly<Record<string, ProfileValue>> | undefined;
  let merged: Record<string, ProfileValue> | undefined;
  for (const decision of decisions) {
    const profile = policy.rulesById.get(decision.rule)?.profile;
    if (profile === undefined || profile === first) continue;
    if (first === undefined) {
      first = profile;
      continue;
    }
    merged ??= { ...first };
    for (const [name, value] of Object.entries(profile))
      if (!Object.hasOwn(merged, name)) merged[name] = value;
  }
  return merged ?? first;
}

export function evaluatePolicy(request: RegistrationHookRequest, policy: CompiledPolicy): Verdict {
  const kind = requestKind(request);
  const submitted = submittedProfile(request, kind);
  const report = policy.mode === "report";
  const addresses: AddressDecision[] = [];
  const reportOnly: ReportOnlyFinding[] = [];
  for (const field of ADDRESS_FIELDS) {
    const value = submitted[field];
    if (!holdsAddress(field, value)) continue;
    const decision = decideAddress(field, value, policy, reportOnly);
    addresses.push(decision);
    if (report && decision.outcome === "deny") {
      reportOnly.push({
        rule: decision.rule,
        action: "deny",
        reason: decision.reason ?? "INVALID_EMAIL_DOMAIN",
        field,
      });
    }
  }
  // A registration must carry an address; a progressive update that changes none has nothing to check.
  if (addresses.length === 0 && kind === "self.service.registration") {
    const missing: AddressDecision = {
      field: "email",
      outcome: "deny",
      rule: ADDRESS_RULE,
      reason: "MISSING_EMAIL",
    };
    addresses.push(missing);
    if (report)
      reportOnly.push({
        rule: ADDRESS_RULE,
        action: "deny",
        reason: "MISSING_EMAIL",
        field: "email",
      });
  }

  const refusals: Refusal[] = [];
  if (!report) {
    for (const d of addresses) {
      if (d.outcome !== "deny") continue;
      const refusal: Refusal = {
        reason: d.reason ?? "INVALID_EMAIL_DOMAIN",
        field: d.field,
        rule: d.rule,
      };
      refusals.push(d.domain === undefined ? refusal : { ...refusal, domain: d.domain });
    }
  }
  const outcome: Action = refusals.length === 0 ? "allow" : "deny";
  const locale = negotiateLocale(requestLocale(request, kind), policy);
  const verdict = { outcome, kind, addresses, refusals, reportOnly, locale };
  if (outcome === "allow" && !report && kind === "self.service.registration") {
    const profile = enrichment(policy, addresses);
    if (profile !== undefined) return { ...verdict, profile };
  }
  return verdict;
}
