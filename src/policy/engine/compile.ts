// Policy documents → compiled policies: validated against the schema, every domain, address,
// list and message normalised and resolved once, so evaluating a request does no parsing of
// the policy, no regex compilation and no IDNA work beyond the address's own.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";
import { validatePolicyDocument } from "../../../generated/validators.cjs";
import {
  compileDomainPolicy,
  type DomainPolicy,
  DomainPolicyError,
  describePolicy as describeDomainPolicy,
  parseEmailAddress,
} from "../domains.js";
import { type PathSegment, PolicyError, policyError, quote } from "./errors.js";
import {
  BUILT_IN_LISTS,
  builtInList,
  type CompiledList,
  compileListFile,
  isBuiltInList,
  ListFileError,
} from "./lists.js";
import { localeChain, normaliseLocale } from "./locale.js";
import {
  BUILT_IN_MESSAGES,
  BUILT_IN_REASONS,
  type Reason,
  STRUCTURAL_REASONS,
  SUMMARY_KEY,
} from "./reasons.js";
import {
  ATTRIBUTE_PATTERN,
  LOCALE_PATTERN,
  type PolicyDocument,
  type ProfileValue,
  REASON_PATTERN,
  TOKEN_PATTERN,
} from "./schema.js";

export type Action = "allow" | "deny";
export type MatchVia = "addresses" | "domains" | "lists";

/** How a rule matched an address; precomputed so a match allocates nothing. */
export interface RuleMatch {
  readonly via: MatchVia;
  /** The list that matched, for `lists`. */
  readonly list?: string;
  /** For a deny rule: its own reason, or the one the match implies. */
  readonly reason?: Reason;
}

export interface CompiledRule {
  readonly id: string;
  readonly index: number;
  readonly action: Action;
  /** False for `enforce: false`: evaluated and reported, never deciding. */
  readonly enforced: boolean;
  /** The reason the rule names itself, if any. */
  readonly reason: Reason | undefined;
  readonly domains: DomainPolicy | undefined;
  /** `local@domain`, local part lower-cased, domain in ASCII. */
  readonly addresses: ReadonlySet<string> | undefined;
  readonly lists: readonly CompiledList[];
  readonly profile: Readonly<Record<string, ProfileValue>> | undefined;
  readonly byAddress: RuleMatch;
  readonly byDomain: RuleMatch;
  readonly byList: readonly RuleMatch[];
}

export interface LocaleMessages {
  /** The known locale, lower-case (`en`, `de-ch`). */
  readonly locale: string;
  /** The whole error's errorSummary. */
  readonly summary: string;
  /** Every reason the policy can give, resolved through the fallback chain. */
  readonly byReason: ReadonlyMap<Reason, string>;
}

export interface CompiledPolicy {
  /** Where the policy came from (a file path, `ALLOWED_DOMAINS`), for logs. */
  readonly name: string | undefined;
  /** First 12 hex digits of sha256 over the compiled policy, list contents included. */
  readonly version: string;
  readonly default: Action;
  readonly mode: "enforce" | "report";
  readonly defaultLocale: string;
  readonly rules: readonly CompiledRule[];
  readonly rulesById: ReadonlyMap<string, CompiledRule>;
  /** Every list the policy defines or uses, built-ins included when used. */
  readonly lists: ReadonlyMap<string, CompiledList>;
  readonly usesLists: boolean;
  /** By known locale (lower-case): the messages in that locale, fully resolved. */
  readonly messages: ReadonlyMap<string, LocaleMessages>;
}

export interface CompileOptions {
  /** The folder list files are relative to (the policy file's folder). */
  readonly baseDir: string;
  /** A label for logs and describePolicy, usually the file path. */
  readonly name?: string;
}

const RESERVED_RULE_IDS: ReadonlySet<string> = new Set(["default", "address"]);

// Okta refuses these as custom attribute names (Profile Editor help, "reserved keywords"),
// compared case-insensitively; email, login and password get their own explanation.
const OKTA_RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  "id",
  "profile",
  "status",
  "transitioningtostatus",
  "created",
  "activated",
  "statuschanged",
  "lastlogin",
  "lastupdated",
  "passwordchanged",
  "type",
  "realm",
  "realmid",
  "credentials",
  "_links",
  "_embedded",
  "class",
  "classloader",
]);

const PATTERN_HINTS: ReadonlyMap<string, string> = new Map([
  [TOKEN_PATTERN, 'must be 1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit'],
  [REASON_PATTERN, "must be an upper-case token such as DENIED_EMAIL_DOMAIN (A-Z, 0-9 and _)"],
  [LOCALE_PATTERN, "must be a language tag such as en, fr or de-CH"],
  [ATTRIBUTE_PATTERN, "must be a letter then letters, digits or _ (at most 50 characters)"],
]);

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  object: "a mapping (object)",
  array: "a list (array)",
  null: "null",
};

/** policySchema compiled to code with POLICY_AJV_OPTIONS, by `npm run generate`. */
const validateDocument = validatePolicyDocument as ValidateFunction<PolicyDocument>;

function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => {
      const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      return /^(?:0|[1-9][0-9]*)$/u.test(segment) ? Number(segment) : segment;
    });
}

function schemaError(error: ErrorObject, document: unknown): PolicyError {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const value: unknown = error.data;
  if (error.propertyName !== undefined) {
    const hint =
      typeof params.pattern === "string" ? PATTERN_HINTS.get(params.pattern) : error.message;
    return policyError(
      [...segments, error.propertyName],
      `is not a valid name: ${hint ?? "not allowed"}`,
      document,
    );
  }
  switch (error.keyword) {
    case "required":
      return policyError([...segments, String(params.missingProperty)], "is required", document);
    case "additionalProperties": {
      const known = Object.keys(
        ((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object,
      ).filter((key) => key !== "$schema");
      return policyError(
        [...segments, String(params.additionalProperty)],
        `is not a known property${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}`,
        document,
      );
    }
    case "type": {
      const types = String(params.type).split(",");
      return policyError(
        segments,
        `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")}`,
        document,
      );
    }
    case "anyOf":
      return policyError(segments, "must be a string, a number, true, false or null", document);
    case "enum":
      return policyError(
        segments,
        `${quote(value)} must be one of ${(params.allowedValues as unknown[]).join(", ")}`,
        document,
      );
    case "pattern":
      return policyError(
        segments,
        `${quote(value)} ${PATTERN_HINTS.get(String(params.pattern)) ?? "is not valid"}`,
        document,
      );
    case "minItems":
    case "minProperties":
      if (segments[segments.length - 1] === "match") {
        return policyError(
          segments,
          "must have at least one of domains, addresses, lists",
          document,
        );
      }
      return policyError(segments, "must not be empty", document);
    case "minLength":
      return policyError(segments, "must not be empty", document);
    case "maxItems":
    case "maxProperties":
      return policyError(segments, `has more than ${String(params.limit)} entries`, document);
    case "maxLength":
      return policyError(segments, `is longer than ${String(params.limit)} characters`, document);
    case "uniqueItems": {
      const [first, second] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return policyError([...segments, second ?? 0], `repeats entry ${first ?? 0}`, document);
    }
    default:
      return policyError(segments, error.message ?? "is not valid", document);
  }
}

/**
 * The error to report. A failed anyOf (profile values) comes with one error per branch before
 * its own; a string that is too long is the clearer of those, otherwise the anyOf says it all.
 */
function firstError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const anyOf = errors.find((e) => e.keyword === "anyOf");
  if (anyOf === undefined) return errors[0];
  return (
    errors.find((e) => e.keyword === "maxLength" && e.instancePath === anyOf.instancePath) ?? anyOf
  );
}

/** Stable JSON: object keys sorted, so the same policy always has the same version. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function compileLists(
  doc: PolicyDocument,
  baseDir: string,
  document: unknown,
): Map<string, CompiledList> {
  const lists = new Map<string, CompiledList>();
  for (const [name, spec] of Object.entries(doc.lists ?? {})) {
    if (isBuiltInList(name)) {
      throw policyError(
        ["lists", name],
        `is a built-in list (${BUILT_IN_LISTS.join(", ")}); give yours another name`,
        document,
      );
    }
    const path = resolve(baseDir, spec.file);
    try {
      lists.set(name, compileListFile(name, path));
    } catch (error) {
      if (error instanceof ListFileError) {
        throw policyError(["lists", name, "file"], `${path} ${error.message}`, document);
      }
      const code = (error as { code?: unknown }).code;
      throw policyError(
        ["lists", name, "file"],
        `cannot read ${path} (${typeof code === "string" ? code : String(error)})`,
        document,
      );
    }
  }
  return lists;
}

function checkProfile(
  profile: Record<string, ProfileValue>,
  at: PathSegment[],
  document: unknown,
): Readonly<Record<string, ProfileValue>> {
  const out: Record<string, ProfileValue> = {};
  for (const [name, value] of Object.entries(profile)) {
    const lower = name.toLowerCase();
    if (lower === "email" || lower === "login") {
      throw policyError(
        [...at, name],
        "cannot be set: the decision was made on the address, so the rule must not change it",
        document,
      );
    }
    if (lower === "password") {
      throw policyError([...at, name], "cannot be set: Okta never lets a hook set it", document);
    }
    if (OKTA_RESERVED_ATTRIBUTES.has(lower)) {
      throw policyError([...at, name], "is a name Okta reserves", document);
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw policyError([...at, name], "must be a finite number", document);
    }
    out[name] = value;
  }
  return Object.freeze(out);
}

interface RuleContext {
  readonly document: unknown;
  readonly lists: Map<string, CompiledList>;
  readonly seenIds: Map<string, number>;
  readonly customReasons: Set<string>;
}

function compileRule(
  rule: PolicyDocument["rules"][number],
  index: number,
  ctx: RuleContext,
): CompiledRule {
  const at: PathSegment[] = ["rules", index];
  const { document } = ctx;
  if (RESERVED_RULE_IDS.has(rule.id)) {
    throw policyError([...at, "id"], `${quote(rule.id)} is reserved`, document);
  }
  const earlier = ctx.seenIds.get(rule.id);
  if (earlier !== undefined) {
    throw policyError(
      [...at, "id"],
      `${quote(rule.id)} is already the id of rules[${earlier}]`,
      document,
    );
  }
  ctx.seenIds.set(rule.id, index);

  if (rule.action === "allow" && rule.reason !== undefined) {
    throw policyError([...at, "reason"], "only a deny rule gives a reason", document);
  }
  if (rule.action === "deny" && rule.profile !== undefined) {
    throw policyError(
      [...at, "profile"],
      "only an allow rule can set profile attributes",
      document,
    );
  }
  if (rule.reason !== undefined) {
    if (STRUCTURAL_REASONS.has(rule.reason) || rule.reason === SUMMARY_KEY) {
      throw policyError(
        [...at, "reason"],
        `${rule.reason} is not a reason a rule can give`,
        document,
      );
    }
    if (!(BUILT_IN_REASONS as readonly string[]).includes(rule.reason)) {
      ctx.customReasons.add(rule.reason);
    }
  }

  let domains: DomainPolicy | undefined;
  if (rule.match.domains !== undefined) {
    const entries = rule.match.domains;
    try {
      domains = compileDomainPolicy(entries);
    } catch (error) {
      if (!(error instanceof DomainPolicyError)) throw error;
      const entryIndex = error.entry === undefined ? -1 : entries.indexOf(error.entry);
      throw policyError(
        entryIndex === -1 ? [...at, "match", "domains"] : [...at, "match", "domains", entryIndex],
        error.message,
        document,
      );
    }
  }

  let addresses: Set<string> | undefined;
  if (rule.match.addresses !== undefined) {
    addresses = new Set();
    rule.match.addresses.forEach((entry, i) => {
      const parsed = parseEmailAddress(entry);
      if (!parsed.ok) {
        throw policyError(
          [...at, "match", "addresses", i],
          `${quote(entry)} is not a valid address (${parsed.problem})`,
          document,
        );
      }
      addresses?.add(`${parsed.local.toLowerCase()}@${parsed.domain}`);
    });
  }

  const lists: CompiledList[] = [];
  (rule.match.lists ?? []).forEach((name, i) => {
    let list = ctx.lists.get(name);
    if (list === undefined && isBuiltInList(name)) {
      list = builtInList(name);
      ctx.lists.set(name, list);
    }
    if (list === undefined) {
      const known = [...BUILT_IN_LISTS, ...Object.keys((document as PolicyDocument).lists ?? {})];
      throw policyError(
        [...at, "match", "lists", i],
        `${quote(name)} is not a known list (known: ${known.join(", ")})`,
        document,
      );
    }
    lists.push(list);
  });

  const deny = rule.action === "deny";
  const reasonFor = (implied: Reason): Reason | undefined =>
    deny ? (rule.reason ?? implied) : undefined;
  const match = (via: MatchVia, implied: Reason, list?: string): RuleMatch => {
    const reason = reasonFor(implied);
    return Object.freeze({
      via,
      ...(list === undefined ? {} : { list }),
      ...(reason === undefined ? {} : { reason }),
    });
  };

  return Object.freeze({
    id: rule.id,
    index,
    action: rule.action,
    enforced: rule.enforce !== false,
    reason: rule.reason,
    domains,
    addresses,
    lists: Object.freeze(lists),
    profile:
      rule.profile === undefined
        ? undefined
        : checkProfile(rule.profile, [...at, "profile"], document),
    byAddress: match("addresses", "DENIED_EMAIL_ADDRESS"),
    byDomain: match("domains", "DENIED_EMAIL_DOMAIN"),
    byList: Object.freeze(lists.map((list) => match("lists", list.reason, list.name))),
  });
}

function compileMessages(
  doc: PolicyDocument,
  defaultLocale: string,
  customReasons: ReadonlySet<string>,
  document: unknown,
): Map<string, LocaleMessages> {
  const reasons = new Set<string>([...BUILT_IN_REASONS, ...customReasons]);
  // reason → locale (lower-case) → message
  const written = new Map<string, Map<string, string>>();
  const locales = new Set<string>(["en", defaultLocale]);
  for (const [reason, byLocale] of Object.entries(doc.messages ?? {})) {
    if (!reasons.has(reason) && reason !== SUMMARY_KEY) {
      throw policyError(
        ["messages", reason],
        `is not a reason the policy gives (built-in: ${BUILT_IN_REASONS.join(", ")}, ${SUMMARY_KEY}; or a rule's own reason)`,
        document,
      );
    }
    const table = new Map<string, string>();
    for (const [rawLocale, message] of Object.entries(byLocale)) {
      const locale = normaliseLocale(rawLocale);
      if (locale === undefined) {
        throw policyError(["messages", reason, rawLocale], "is not a language tag", document);
      }
      if (table.has(locale)) {
        throw policyError(
          ["messages", reason, rawLocale],
          `is the same locale as another key of messages.${reason}`,
          document,
        );
      }
      table.set(locale, message);
      locales.add(locale);
    }
    written.set(reason, table);
  }
  for (const reason of customReasons) {
    if (written.get(reason)?.get("en") === undefined) {
      const rules = doc.rules.map((r, i) => ({ r, i })).filter(({ r }) => r.reason === reason);
      const first = rules[0]?.i ?? 0;
      throw policyError(
        ["rules", first, "reason"],
        `${reason} needs an English message: add messages.${reason}.en`,
        document,
      );
    }
  }

  const lookup = (reason: string, locale: string): string | undefined =>
    written.get(reason)?.get(locale) ??
    (locale === "en" ? BUILT_IN_MESSAGES[reason as keyof typeof BUILT_IN_MESSAGES] : undefined);

  const messages = new Map<string, LocaleMessages>();
  for (const locale of [...locales].sort()) {
    const chain = [...new Set([...localeChain(locale), ...localeChain(defaultLocale), "en"])];
    const resolveMessage = (reason: string): string => {
      for (const candidate of chain) {
        const message = lookup(reason, candidate);
        if (message !== undefined) return message;
      }
      // Unreachable: every reason has an English message, built in or checked above.
      return BUILT_IN_MESSAGES.INVALID_EMAIL_DOMAIN;
    };
    const byReason = new Map<Reason, string>();
    for (const reason of [...reasons].sort()) byReason.set(reason, resolveMessage(reason));
    messages.set(locale, Object.freeze({ locale, summary: resolveMessage(SUMMARY_KEY), byReason }));
  }
  return messages;
}

function versionOf(
  doc: PolicyDocument,
  defaultLocale: string,
  rules: readonly CompiledRule[],
  lists: ReadonlyMap<string, CompiledList>,
  messages: ReadonlyMap<string, LocaleMessages>,
): string {
  const canonical = canonicalJson({
    format: 1,
    default: doc.default,
    mode: doc.mode ?? "enforce",
    defaultLocale,
    rules: rules.map((rule) => ({
      id: rule.id,
      action: rule.action,
      enforced: rule.enforced,
      reason: rule.reason,
      domains: rule.domains === undefined ? undefined : describeDomainPolicy(rule.domains),
      addresses: rule.addresses === undefined ? undefined : [...rule.addresses].sort(),
      lists: rule.lists.map((list) => list.name),
      profile: rule.profile,
    })),
    lists: [...lists.values()]
      .map((list) => ({ name: list.name, digest: list.digest }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    messages: [...messages.values()].map((m) => ({
      locale: m.locale,
      summary: m.summary,
      byReason: Object.fromEntries(m.byReason),
    })),
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

/** Validates and compiles a policy document; throws PolicyError naming the rule and field. */
export function compilePolicy(document: unknown, options: CompileOptions): CompiledPolicy {
  if (!validateDocument(document)) {
    const first = firstError(validateDocument.errors ?? []);
    throw first === undefined
      ? new PolicyError("policy", "is not valid")
      : schemaError(first, document);
  }
  const doc = document;
  const defaultLocale = normaliseLocale(doc.defaultLocale ?? "en");
  if (defaultLocale === undefined) {
    throw policyError(["defaultLocale"], "is not a language tag", document);
  }
  const lists = compileLists(doc, options.baseDir, document);
  const ctx: RuleContext = { document, lists, seenIds: new Map(), customReasons: new Set() };
  const rules = Object.freeze(doc.rules.map((rule, index) => compileRule(rule, index, ctx)));
  const messages = compileMessages(doc, defaultLocale, ctx.customReasons, document);
  return Object.freeze({
    name: options.name,
    version: versionOf(doc, defaultLocale, rules, lists, messages),
    default: doc.default,
    mode: doc.mode ?? "enforce",
    defaultLocale,
    rules,
    rulesById: new Map(rules.map((rule) => [rule.id, rule])),
    lists,
    usesLists: rules.some((rule) => rule.lists.length > 0),
    messages,
  });
}

const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;

/** Parses a policy file's text: JSON for `.json`, YAML (which JSON is a subset of) otherwise. */
export function parsePolicyText(text: string, path: string): unknown {
  try {
    if (extname(path).toLowerCase() === ".json") return JSON.parse(text) as unknown;
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100, prettyErrors: true }) as unknown;
  } catch (error) {
    const what = extname(path).toLowerCase() === ".json" ? "JSON" : "YAML";
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new PolicyError(path, `is not valid ${what}: ${detail}`);
  }
}

/** Reads, parses and compiles a policy file (YAML or JSON); list files are relative to it. */
export function loadPolicyFile(path: string): CompiledPolicy {
  const absolute = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new PolicyError(
      path,
      `cannot be read (${typeof code === "string" ? code : String(error)})`,
    );
  }
  if (bytes.length > MAX_POLICY_FILE_BYTES) {
    throw new PolicyError(path, `is larger than ${MAX_POLICY_FILE_BYTES} bytes`);
  }
  const document = parsePolicyText(bytes.toString("utf8"), path);
  try {
    return compilePolicy(document, { baseDir: dirname(absolute), name: path });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new PolicyError(`${path}: ${error.location}`, error.problem);
  }
}

export const ALLOWED_DOMAINS_RULE_ID = "allowed-domains";

/** The policy of today's ALLOWED_DOMAINS: one allow rule with those domains, default deny. */
export function policyDocumentFromAllowedDomains(entries: readonly string[]): PolicyDocument {
  return {
    default: "deny",
    rules: [{ id: ALLOWED_DOMAINS_RULE_ID, match: { domains: [...entries] }, action: "allow" }],
  };
}

export function policyFromAllowedDomains(entries: readonly string[]): CompiledPolicy {
  return compilePolicy(policyDocumentFromAllowedDomains(entries), {
    baseDir: ".",
    name: "ALLOWED_DOMAINS",
  });
}
