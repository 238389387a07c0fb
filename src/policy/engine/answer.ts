// Verdict → Okta's answer: the ALLOW/DENY command, the localised error the Sign-In Widget shows,
// the profile update of an enriching allow rule, and a debugContext for Okta's System Log.
// Answers are a function of a few small values (locale, rules, reasons), so each one is built
// once and kept in a small bounded cache per policy, its JSON text with it.
import type { ErrorCause, RegistrationHookResponse, Schemas } from "../../spec.js";
import type { CompiledPolicy, LocaleMessages } from "./compile.js";
import { negotiateLocale, type Verdict } from "./evaluate.js";
import { BUILT_IN_MESSAGES } from "./reasons.js";

type HookCommand = Schemas["HookCommand"];

/** What Okta writes to the System Log (`inline_hook.response.processed`): never an address. */
export interface PolicyDebugContext {
  readonly decision: "ALLOW" | "DENY";
  /** The deciding rule ids (`default` when no rule matched, `address` for invalid or missing). */
  readonly rules?: string;
  /** The enforced denial reasons. */
  readonly reasons?: string;
  readonly policyVersion: string;
  /** `rule:REASON` (or `rule:ALLOW`) of each rule that matched but was not enforced. */
  readonly reportOnly?: string;
  /** Present, `report`, when the whole policy is report-only. */
  readonly mode?: "report";
}

/** Each joined field stays under this many characters, so the whole object stays under 512. */
const FIELD_BUDGET = 150;
const CACHE_LIMIT = 1024;

/** Joins distinct items with commas; what does not fit is counted as `+N`. */
function joinBounded(items: readonly string[]): string | undefined {
  const distinct = [...new Set(items)];
  if (distinct.length === 0) return undefined;
  let out = "";
  for (let i = 0; i < distinct.length; i += 1) {
    const item = distinct[i] ?? "";
    const next = out === "" ? item : `${out},${item}`;
    const rest = distinct.length - i - 1;
    const suffix = rest > 0 ? `,+${rest}` : "";
    if (next.length + suffix.length > FIELD_BUDGET)
      return out === "" ? `+${distinct.length}` : `${out},+${distinct.length - i}`;
    out = next;
  }
  return out;
}

export function debugContextFor(verdict: Verdict, policy: CompiledPolicy): PolicyDebugContext {
  const rules = joinBounded(verdict.addresses.map((a) => a.rule));
  const reasons = joinBounded(verdict.refusals.map((r) => r.reason));
  const reportOnly = joinBounded(
    verdict.reportOnly.map((f) => `${f.rule}:${f.reason ?? f.action.toUpperCase()}`),
  );
  return {
    decision: verdict.outcome === "allow" ? "ALLOW" : "DENY",
    ...(rules === undefined ? {} : { rules }),
    ...(reasons === undefined ? {} : { reasons }),
    policyVersion: policy.version,
    ...(reportOnly === undefined ? {} : { reportOnly }),
    ...(policy.mode === "report" ? { mode: "report" as const } : {}),
  };
}

function messagesFor(policy: CompiledPolicy, locale: unknown): LocaleMessages {
  const known = typeof locale === "string" ? policy.messages.get(locale) : undefined;
  const messages = known ?? policy.messages.get(negotiateLocale(locale, policy));
  // defaultLocale and `en` are always in the table.
  return messages ?? (policy.messages.get("en") as LocaleMessages);
}

function build(
  verdict: Verdict,
  policy: CompiledPolicy,
  messages: LocaleMessages,
): RegistrationHookResponse {
  const debugContext = debugContextFor(verdict, policy);
  if (verdict.outcome === "deny") {
    const errorCauses: ErrorCause[] = verdict.refusals.map(({ reason, field }) => ({
      errorSummary: messages.byReason.get(reason) ?? BUILT_IN_MESSAGES.INVALID_EMAIL_DOMAIN,
      reason,
      locationType: "body",
      location: `data.userProfile.${field}`,
      domain: "end-user",
    }));
    return {
      commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
      error: { errorSummary: messages.summary, errorCauses },
      debugContext: { ...debugContext },
    };
  }
  const commands: HookCommand[] = [
    { type: "com.okta.action.update", value: { registration: "ALLOW" } },
  ];
  if (verdict.profile !== undefined && verdict.kind === "self.service.registration") {
    commands.push({ type: "com.okta.user.profile.update", value: { ...verdict.profile } });
  }
  return { commands, debugContext: { ...debugContext } };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

interface CachedAnswer {
  readonly response: RegistrationHookResponse;
  readonly body: string;
}

const caches = new WeakMap<CompiledPolicy, Map<string, CachedAnswer>>();

/** Everything the answer depends on; ids, reasons and fields never contain `|` or `:`. */
function cacheKey(verdict: Verdict, locale: string): string {
  let key = `${locale}|${verdict.kind}|${verdict.outcome}|`;
  for (const a of verdict.addresses) key += `${a.field}:${a.rule}:${a.reason ?? ""};`;
  key += "|";
  for (const f of verdict.reportOnly) key += `${f.field}:${f.rule}:${f.action}:${f.reason ?? ""};`;
  return verdict.profile === undefined ? key : `${key}|p`;
}

function cached(verdict: Verdict, policy: CompiledPolicy, locale: unknown): CachedAnswer {
  const messages = messagesFor(policy, locale);
  let cache = caches.get(policy);
  if (cache === undefined) {
    cache = new Map();
    caches.set(policy, cache);
  }
  const key = cacheKey(verdict, messages.locale);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const response = deepFreeze(build(verdict, policy, messages));
  const entry = { response, body: JSON.stringify(response) };
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(key, entry);
  return entry;
}

/**
 * Okta's answer to the verdict, with messages in `locale` (a raw tag or a negotiated one;
 * by default the request's). The object is shared and frozen: do not change it.
 */
export function answerFor(
  verdict: Verdict,
  policy: CompiledPolicy,
  locale: unknown = verdict.locale,
): RegistrationHookResponse {
  return cached(verdict, policy, locale).response;
}

/** answerFor as JSON text, serialised once per distinct answer. */
export function serialiseAnswer(
  verdict: Verdict,
  policy: CompiledPolicy,
  locale: unknown = verdict.locale,
): string {
  return cached(verdict, policy, locale).body;
}
