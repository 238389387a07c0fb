// Property-based tests (fast-check) over HTTP, in process: arbitrary and mutated bodies never
// break the contract, the email-domain decision agrees with an independent reference model,
// and the logs never carry the secret, an authorization value or a full email address.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { before, describe, it } from "node:test";
import { domainToASCII } from "node:url";
import fc from "fast-check";
import type { Response } from "supertest";
import {
  assertMatchesSpec,
  postHook,
  startService,
  TEST_SECRET,
  type TestService,
} from "./support/app.js";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  earlyIdentityEngineRegistration,
  progressiveProfile,
  selfServiceRegistration,
} from "./support/fixtures.js";

const ALLOWED_DOMAINS = "example.com, *.corp.example.org, bücher.example";
/** Okta waits 3 s; an in-process answer must come far sooner, whatever the body. */
const MAX_ANSWER_MS = 2000;
const BODY_LIMIT = 64 * 1024;
const TEST_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// JSON values and the bookkeeping shared by every property (one service for the whole file).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type RequestKind = "self.service.registration" | "progressive.profile";
type AddressField = "email" | "login";
type FieldVerdict = "ok" | "INVALID_EMAIL" | "INVALID_EMAIL_DOMAIN";

interface Cause {
  readonly reason: string;
  readonly location: string;
}
interface Verdict {
  readonly decision: "ALLOW" | "DENY";
  readonly causes: readonly Cause[];
}
/** What the decision log line of a 200 answer must say. */
interface LoggedExpectation {
  readonly decision: "allow" | "deny";
  readonly reason: string | undefined;
  readonly kind: RequestKind | undefined;
}

let service: TestService;
/** Every address any arbitrary produced (sent or not), by its text. */
const addresses = new Map<string, GeneratedAddress>();
/** Every authorization header value sent. */
const sentAuthorizations = new Set<string>([TEST_SECRET]);
/** Request id of every 200 answer, with what its decision log line must say. */
const answered200 = new Map<string, LoggedExpectation>();

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads only own properties, so a `__proto__` key can never stand in for a missing one. */
function ownValue(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** Assignment that creates an own property even for `__proto__`. */
function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function cloneJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function verdictOf(res: Response): Verdict {
  const body = res.body as {
    commands?: { type?: string; value?: { registration?: string } }[];
    error?: { errorCauses?: { reason?: string; location?: string }[] } | null;
  };
  const actions = (body.commands ?? []).filter((c) => c.type === "com.okta.action.update");
  assert.equal(actions.length, 1, `one action command expected: ${res.text}`);
  const decision = actions[0]?.value?.registration;
  assert.ok(decision === "ALLOW" || decision === "DENY", res.text);
  const causes = (body.error?.errorCauses ?? []).map((c) => ({
    reason: String(c.reason),
    location: String(c.location),
  }));
  assert.equal(decision === "DENY", causes.length > 0, `DENY iff causes: ${res.text}`);
  return { decision, causes };
}

interface CallOptions {
  /** The request kind the model expects, checked against the decision log line. */
  readonly kind?: RequestKind;
  /** Sends the authorization header with this value instead of the test secret. */
  readonly secret?: string;
  /** Sends raw bytes with this content type instead of going through `postHook`. */
  readonly contentType?: string;
}

/**
 * Posts a body, checks the answer against the spec (postHook / assertMatchesSpec), that it is
 * no 5xx and that it came within the time bound, and records every 200 for the log checks.
 */
async function call(body: string | Buffer, options: CallOptions = {}): Promise<Response> {
  const started = performance.now();
  let res: Response;
  if (typeof body === "string" && options.contentType === undefined) {
    if (options.secret !== undefined) sentAuthorizations.add(options.secret);
    res = await postHook(service, body, { secret: options.secret ?? TEST_SECRET });
  } else {
    res = await service.request
      .post("/registrationHook")
      .set("content-type", options.contentType ?? "application/json")
      .set("authorization", TEST_SECRET)
      .send(body);
    assertMatchesSpec(res);
  }
  const elapsed = performance.now() - started;
  assert.ok(res.status < 500, `answered ${res.status}: ${res.text.slice(0, 500)}`);
  assert.ok(elapsed < MAX_ANSWER_MS, `answered after ${Math.round(elapsed)} ms`);
  if (res.status === 200) {
    const id = String(res.headers["x-request-id"] ?? "");
    assert.ok(id !== "", "a 200 carries x-request-id");
    const { decision, causes } = verdictOf(res);
    answered200.set(id, {
      decision: decision === "ALLOW" ? "allow" : "deny",
      reason: causes[0]?.reason,
      kind: options.kind,
    });
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// The reference model. It shares no code with src/policy: domains are lower-cased and converted
// with WHATWG's domainToASCII, entries and addresses are compared as label arrays read from the
// right, and an address's validity comes from how it was built, not from parsing it.

interface ModelEntry {
  /** ASCII labels, top-level label first. */
  readonly reversedLabels: readonly string[];
  readonly subdomainsOnly: boolean;
}

function reversedAsciiLabels(domain: string): string[] | undefined {
  const ascii = domainToASCII(domain.toLowerCase());
  if (ascii === "") return undefined;
  const labels = ascii.split(".");
  return labels.includes("") ? undefined : labels.reverse();
}

function modelEntries(list: string): ModelEntry[] {
  return list
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((entry) => {
      const subdomainsOnly = entry.startsWith("*.");
      const reversedLabels = reversedAsciiLabels(subdomainsOnly ? entry.slice(2) : entry);
      assert.ok(reversedLabels, `model cannot read entry ${entry}`);
      return { reversedLabels, subdomainsOnly };
    });
}

const MODEL_ENTRIES = modelEntries(ALLOWED_DOMAINS);

function modelDomainAllowed(domain: string, entries: readonly ModelEntry[] = MODEL_ENTRIES) {
  const labels = reversedAsciiLabels(domain);
  if (labels === undefined) return false;
  return entries.some(({ reversedLabels, subdomainsOnly }) => {
    const longEnough = subdomainsOnly
      ? labels.length > reversedLabels.length
      : labels.length === reversedLabels.length;
    return longEnough && reversedLabels.every((label, i) => labels[i] === label);
  });
}

/** An address built from parts, so whether it is valid is known by construction. */
interface GeneratedAddress {
  readonly text: string;
  readonly valid: boolean;
  /** The domain it was built with (for valid addresses, the one the model decides on). */
  readonly domain: string;
  readonly how: string;
}

function remember(address: GeneratedAddress): GeneratedAddress {
  const known = addresses.get(address.text);
  assert.ok(
    known === undefined || known.valid === address.valid,
    `generator bug: ${JSON.stringify(address.text)} built as valid and as invalid`,
  );
  if (known === undefined) addresses.set(address.text, address);
  return address;
}

// Okta's own fixture addresses are valid and at example.com.
for (const text of ["rosario.jones@example.com", "john.doe@example.com"]) {
  remember({ text, valid: true, domain: "example.com", how: "fixture" });
}

function verdictForAddress(address: GeneratedAddress): FieldVerdict {
  if (!address.valid) return "INVALID_EMAIL";
  return modelDomainAllowed(address.domain) ? "ok" : "INVALID_EMAIL_DOMAIN";
}

/**
 * For a string no arbitrary built (a mutation's random value) the model only knows what is
 * certainly invalid; otherwise a strict parser may still refuse it, but if it accepts it the
 * domain decision must be the model's.
 */
function verdictsForUnknownString(value: string): ReadonlySet<FieldVerdict> {
  const parts = value.split("@");
  const [local = "", domain = ""] = parts;
  const certainlyInvalid =
    parts.length !== 2 ||
    local === "" ||
    domain === "" ||
    /[\p{White_Space}\p{Cc}<>()[\]\\,;:"]/u.test(value) ||
    Buffer.byteLength(value, "utf8") > 254 ||
    domain.startsWith(".") ||
    domain.endsWith(".") ||
    domain.includes("..") ||
    local.startsWith(".") ||
    local.endsWith(".") ||
    local.includes("..");
  if (certainlyInvalid) return new Set(["INVALID_EMAIL"]);
  return new Set(["INVALID_EMAIL", modelDomainAllowed(domain) ? "ok" : "INVALID_EMAIL_DOMAIN"]);
}

function acceptableVerdicts(value: unknown): ReadonlySet<FieldVerdict> {
  if (typeof value !== "string") return new Set(["INVALID_EMAIL"]);
  const known = addresses.get(value);
  return known ? new Set([verdictForAddress(known)]) : verdictsForUnknownString(value);
}

interface ModelOutcome {
  readonly kind: RequestKind;
  /** The fields that hold an address, in the order they are reported, with acceptable verdicts. */
  readonly fields: readonly { field: AddressField; acceptable: ReadonlySet<FieldVerdict> }[];
  readonly missingEmail: boolean;
}

/** The model's reading of a request body as JSON.parse sees it (own properties only). */
function modelOutcome(body: unknown): ModelOutcome {
  const data = ownValue(body, "data");
  const requestType = ownValue(body, "requestType");
  const kind: RequestKind =
    requestType === "progressive.profile" || requestType === "self.service.registration"
      ? requestType
      : isObject(data) && Object.hasOwn(data, "userProfile")
        ? "self.service.registration"
        : "progressive.profile";
  const profile = ownValue(
    data,
    kind === "progressive.profile" ? "userProfileUpdate" : "userProfile",
  );
  const fields: { field: AddressField; acceptable: ReadonlySet<FieldVerdict> }[] = [];
  for (const field of ["email", "login"] as const) {
    const value = ownValue(profile, field);
    if (value === undefined || value === null || value === "") continue;
    // A login without "@" is a user name, not an address.
    if (field === "login" && typeof value === "string" && !value.includes("@")) continue;
    fields.push({ field, acceptable: acceptableVerdicts(value) });
  }
  return {
    kind,
    fields,
    missingEmail: kind === "self.service.registration" && fields.length === 0,
  };
}

/** The model's outcome for a body text as the service decodes it, if it is JSON. */
function modelForText(body: string): ModelOutcome | undefined {
  try {
    return modelOutcome(
      JSON.parse(
        Buffer.from(body, "utf8")
          .toString("utf8")
          .replace(/^\ufeff/, ""),
      ),
    );
  } catch {
    return undefined;
  }
}

/** Asserts the service's 200 answer is one the model allows. */
function assertAgreesWithModel(res: Response, model: ModelOutcome, sent: string): void {
  const body = sent.length > 2000 ? `${sent.slice(0, 2000)}…` : sent;
  assert.equal(res.status, 200, body);
  const { causes } = verdictOf(res);
  const expected: Cause[] = [];
  for (const { field, acceptable } of model.fields) {
    const location = `data.userProfile.${field}`;
    const reported = causes.find((c) => c.location === location && c.reason !== "MISSING_EMAIL");
    const verdict = (reported?.reason ?? "ok") as FieldVerdict;
    assert.ok(
      acceptable.has(verdict),
      `${field}: service said ${verdict}, model allows ${[...acceptable].join(" | ")}\n${body}`,
    );
    if (verdict !== "ok") expected.push({ reason: verdict, location });
  }
  if (model.missingEmail) {
    expected.push({ reason: "MISSING_EMAIL", location: "data.userProfile.email" });
  }
  assert.deepEqual(causes, expected, body);
}

// ---------------------------------------------------------------------------------------------
// Address arbitraries.

const LOCAL_UNITS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~",
  "é",
  "ñ",
  "ж",
  "δ",
  "名",
  "e\u0301", // a letter with a combining mark
];
// At most 3 atoms of 6 units of 3 octets, 2 dots: 56 octets, within the 64-octet limit.
const atom = fc
  .array(fc.constantFrom(...LOCAL_UNITS), { minLength: 1, maxLength: 6 })
  .map((units) => units.join(""));
const localPart = fc.array(atom, { minLength: 1, maxLength: 3 }).map((atoms) => atoms.join("."));

/** Labels put in front of a base domain; all valid in any combination (no right-to-left script). */
const PREFIX_LABELS = [
  "a",
  "eng",
  "www",
  "corp",
  "example",
  "x-1",
  "9lives",
  "ünï",
  "bücher",
  "жж",
  "xn--bcher-kva",
  "com",
  "evil",
];
/** Allowed domains, their IDNA-equivalent spellings, wildcard apex, look-alikes and tricks. */
const BASE_DOMAINS = [
  "example.com",
  "bücher.example",
  "bu\u0308cher.example", // decomposed ü, normalised to NFC
  "xn--bcher-kva.example",
  "corp.example.org",
  "ｅｘａｍｐｌｅ.com", // full-width letters map to example.com
  "example\u3002com", // ideographic full stop maps to "."
  "ex\u0430mple.com", // Cyrillic а
  "examp1e.com",
  "evilexample.com",
  "example.com.evil.test",
  "corp.example.org.evil.test",
  "xample.com",
  "example.co",
  "example.org",
  "corpexample.org",
  "corp-example.org",
  "bucher.example",
  "xn--bcher-kva.example.evil.test",
  "пример.рф",
  "evil.test",
  "example.com.example",
];

const domainName = fc
  .record({
    prefix: fc.array(fc.constantFrom(...PREFIX_LABELS), { maxLength: 3 }),
    base: fc.constantFrom(...BASE_DOMAINS),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .map(({ prefix, base, upper }) =>
    [...prefix, ...base.split(".")]
      .map((label, i) => (upper[i] === true ? label.toUpperCase() : label))
      .join("."),
  );

interface Parts {
  readonly local: string;
  readonly domain: string;
}
const parts = fc.record({ local: localPart, domain: domainName });
const text = (p: Parts): string => `${p.local}@${p.domain}`;

const validAddress = parts.map((p) =>
  remember({ text: text(p), valid: true, domain: p.domain, how: "valid" }),
);

const WHITE_SPACE = [
  " ",
  "\t",
  "\n",
  "\r",
  "\u000b",
  "\u0085",
  "\u00a0",
  "\u2003",
  "\u2028",
  "\u3000",
];
const INVISIBLE = ["\u00ad", "\u200b", "\u2060", "\ufeff"];

/** Inserts at a UTF-16 index; every unit in the pools is a single BMP code point or a letter+mark. */
function insertAt(into: string, at: number, piece: string): string {
  const i = at % (into.length + 1);
  return into.slice(0, i) + piece + into.slice(i);
}

const space = (at: number): string => WHITE_SPACE[at % WHITE_SPACE.length] ?? " ";
const invisible = (at: number): string => INVISIBLE[at % INVISIBLE.length] ?? "\u00ad";

type Breaker = (p: Parts, q: Parts, at: number) => string;
/** Each turns valid parts into an address that is invalid under strict parsing, whatever the parts. */
const BREAKERS: readonly (readonly [string, Breaker])[] = [
  ["two @", (p, q) => `${p.local}@${p.domain}@${q.domain}`],
  ["two @ (local)", (p, q) => `${q.local}@${p.local}@${p.domain}`],
  ["@@", (p) => `${p.local}@@${p.domain}`],
  ["whitespace", (p, _q, at) => insertAt(text(p), at, space(at))],
  ["leading whitespace", (p, _q, at) => `${space(at)}${text(p)}`],
  ["trailing whitespace", (p, _q, at) => `${text(p)}${space(at)}`],
  ["invisible", (p, _q, at) => insertAt(text(p), at, invisible(at))],
  ["trailing invisible", (p, _q, at) => `${text(p)}${invisible(at)}`],
  ["angle brackets", (p) => `<${text(p)}>`],
  ["display name", (p) => `Jo <${text(p)}>`],
  ["quoted display name", (p) => `"Jo" <${text(p)}>`],
  ["closing bracket", (p) => `${text(p)}>`],
  ["trailing dot", (p) => `${text(p)}.`],
  ["trailing ideographic full stop", (p) => `${text(p)}\u3002`],
  ["empty local part", (p) => `@${p.domain}`],
  ["empty domain", (p) => `${p.local}@`],
  ["no @", (p) => `${p.local}.${p.domain}`],
  ["leading dot (local)", (p) => `.${text(p)}`],
  ["trailing dot (local)", (p) => `${p.local}.@${p.domain}`],
  ["double dot (local)", (p) => `${p.local}..x@${p.domain}`],
  ["leading dot (domain)", (p) => `${p.local}@.${p.domain}`],
  ["double dot (domain)", (p) => `${p.local}@x..${p.domain}`],
  ["leading hyphen label", (p) => `${p.local}@-x.${p.domain}`],
  ["trailing hyphen label", (p) => `${p.local}@x-.${p.domain}`],
  ["quoted local part", (p) => `"${p.local}"@${p.domain}`],
  ["comment", (p) => `${p.local}(c)@${p.domain}`],
  ["backslash", (p) => `${p.local}\\@${p.domain}`],
  ["address list", (p, q) => `${text(p)},${text(q)}`],
  ["group", (p, q) => `${text(p)};${text(q)}`],
  ["IPv4 literal", (p) => `${p.local}@[127.0.0.1]`],
  ["IPv6 literal", (p) => `${p.local}@[IPv6:::1]`],
  ["dotted IPv4", (p) => `${p.local}@127.0.0.1`],
  ["numeric top-level label", (p) => `${p.local}@${p.domain}.123`],
  ["top-level label starting with a digit", (p) => `${p.local}@${p.domain}.1a`],
  ["single label", (p) => `${p.local}@localhost`],
  ["underscore in domain", (p) => `${p.local}@ex_${p.domain}`],
  ["local part over 64 octets", (p) => `${"x".repeat(65)}@${p.domain}`],
  ["local part over 64 octets in UTF-8", (p) => `${"名".repeat(22)}@${p.domain}`],
  ["label over 63 characters", (p) => `${p.local}@${"a".repeat(64)}.${p.domain}`],
  ["domain over 253 characters", (p) => `${p.local}@${`${"a".repeat(63)}.`.repeat(4)}com`],
];

const invalidAddress = fc
  .record({
    p: parts,
    q: parts,
    at: fc.nat({ max: 10_000 }),
    breaker: fc.constantFrom(...BREAKERS),
  })
  .map(({ p, q, at, breaker: [how, make] }) =>
    remember({ text: make(p, q, at), valid: false, domain: p.domain, how }),
  );

const anyAddress = fc.oneof(
  { weight: 3, arbitrary: validAddress },
  { weight: 2, arbitrary: invalidAddress },
);

// ---------------------------------------------------------------------------------------------
// Body arbitraries.

const FIXTURES: readonly (readonly [string, () => unknown])[] = [
  ["selfServiceRegistration", () => selfServiceRegistration()],
  ["classicRegistration", () => classicRegistration()],
  ["progressiveProfile", () => progressiveProfile()],
  ["progressiveProfile+email", () => progressiveProfile({ email: "rosario.jones@example.com" })],
  ["earlyIdentityEngineRegistration", () => earlyIdentityEngineRegistration()],
  [
    "earlyIdentityEngineProgressiveProfile",
    () => earlyIdentityEngineProgressiveProfile({ email: "rosario.jones@example.com" }),
  ],
];
const fixture = fc.constantFrom(...FIXTURES).map(([name, build]) => ({ name, body: build() }));

function nest(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Inserts `"rawKey":value` (both JSON text) first in the body's userProfile(Update). */
function insideProfile(body: unknown, rawKey: string, value: string): string {
  const json = JSON.stringify(body);
  const at = json.search(/"userProfile(Update)?":\{/);
  if (at === -1) return json;
  const open = json.indexOf("{", at) + 1;
  return `${json.slice(0, open)}"${rawKey}":${value},${json.slice(open)}`;
}

const deepNesting = fc
  .record({
    shape: fc.constantFrom("array", "object", "proto", "unbalanced", "in profile", "in version"),
    depth: fc.integer({ min: 1, max: 9_000 }),
    fixture,
  })
  .map(({ shape, depth, fixture: { body } }) => {
    switch (shape) {
      case "array":
        return nest(depth * 3, "[", "]", "1");
      case "object":
        return nest(depth, '{"a":', "}", "null");
      case "proto":
        return nest(Math.min(depth, 4_000), '{"__proto__":', "}", '{"polluted":true}');
      case "unbalanced":
        return "[".repeat(depth * 3);
      case "in profile":
        return insideProfile(
          body,
          "deep",
          nest(Math.min(depth, 3_500), '{"__proto__":[', "]}", "1"),
        );
      default:
        return JSON.stringify(body).replace(
          '"eventTypeVersion":"1.0"',
          () => `"eventTypeVersion":${nest(depth * 3, "[", "]", '"1.0"')}`,
        );
    }
  });

const JSON_TOKENS = ["{", "}", "[", "]", '"', ":", ",", "1", "-", "e", ".", "true", "null", '"a"'];
const tokenSoup = fc
  .array(fc.constantFrom(...JSON_TOKENS, " ", "\\", "\u0000", "\ufeff"), { maxLength: 60 })
  .map((tokens) => tokens.join(""));

/** A fixture's text truncated, or with a random string spliced in. */
const corruptedFixture = fc
  .record({ fixture, at: fc.nat(), cut: fc.nat({ max: 20 }), insert: fc.string({ maxLength: 8 }) })
  .map(({ fixture: { body }, at, cut, insert }) => {
    const json = JSON.stringify(body);
    const i = at % (json.length + 1);
    return json.slice(0, i) + insert + json.slice(i + cut);
  });

/** A fixture padded to around the body limit (some over: 413). */
const nearLimit = fc
  .record({ fixture, size: fc.integer({ min: BODY_LIMIT - 2_000, max: BODY_LIMIT + 2_000 }) })
  .map(({ fixture: { body }, size }) => {
    const json = JSON.stringify(body);
    return `${json.slice(0, -1)},"padding":"${"x".repeat(Math.max(0, size - json.length - 14))}"}`;
  });

/** Escaped `__proto__` / `constructor.prototype` keys that plain substring checks would miss. */
const escapedPollution = fc
  .record({
    fixture,
    key: fc.constantFrom("\\u005f\\u005fproto__", "__proto__", "\\u005F_proto__", "constructor"),
    address: anyAddress,
  })
  .map(({ fixture: { body }, key, address }) => {
    const payload = JSON.stringify({ email: address.text, login: address.text, polluted: true });
    const value = key === "constructor" ? `{"prototype":${payload}}` : payload;
    return insideProfile(body, key, value);
  });

function serialise(value: unknown): string {
  try {
    const json: string | undefined = JSON.stringify(value);
    return json ?? "";
  } catch {
    return "";
  }
}

const arbitraryBodyText = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything().map(serialise),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  tokenSoup,
  corruptedFixture,
  deepNesting,
  nearLimit,
  escapedPollution,
  fixture.map(({ body }) => `\ufeff${JSON.stringify(body)}`),
);

// ---------------------------------------------------------------------------------------------
// Mutations of Okta's requests.

type Path = readonly (string | number)[];
type Mutation =
  | { readonly op: "delete"; readonly at: number }
  | { readonly op: "replace"; readonly at: number; readonly value: Json }
  | { readonly op: "add"; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly op: "set"; readonly path: Path; readonly value: Json }
  | { readonly op: "unset"; readonly path: Path }
  | {
      readonly op: "address";
      readonly container: "userProfile" | "userProfileUpdate";
      readonly field: AddressField;
      readonly address: GeneratedAddress;
    }
  /** An address where Okta puts its event id, which the decision line logs. */
  | { readonly op: "eventId"; readonly address: GeneratedAddress };

function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      pathsOf(item, [...at, i], out);
    });
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) pathsOf(value[key] ?? null, [...at, key], out);
  }
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isObject(node) && typeof segment === "string" && Object.hasOwn(node, segment)) {
      node = node[segment];
    } else return undefined;
  }
  return node;
}

/** Sets (or with `undefined` removes) the value at a path whose parent exists. */
function putAt(root: Json, path: Path, value: Json | undefined): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === "number") {
    if (value === undefined) parent.splice(last, 1);
    else parent[last] = value;
  } else if (isObject(parent) && typeof last === "string") {
    if (value === undefined) delete parent[last];
    else setOwn(parent, last, value);
  }
}

function pick<T>(items: readonly T[], at: number): T | undefined {
  return items.length === 0 ? undefined : items[at % items.length];
}

function mutate(root: Json, mutation: Mutation): Json {
  switch (mutation.op) {
    case "delete": {
      const path = pick(
        pathsOf(root).filter((p) => p.length > 0),
        mutation.at,
      );
      if (path) putAt(root, path, undefined);
      return root;
    }
    case "replace": {
      const path = pick(pathsOf(root), mutation.at);
      if (path === undefined || path.length === 0) return cloneJson(mutation.value);
      putAt(root, path, cloneJson(mutation.value));
      return root;
    }
    case "add": {
      const path = pick(
        pathsOf(root).filter((p) => isObject(getAt(root, p))),
        mutation.at,
      );
      const target = path && getAt(root, path);
      if (isObject(target)) setOwn(target, mutation.key, cloneJson(mutation.value));
      return root;
    }
    case "set":
      putAt(root, mutation.path, cloneJson(mutation.value));
      return root;
    case "unset":
      putAt(root, mutation.path, undefined);
      return root;
    case "address":
      putAt(root, ["data", mutation.container, mutation.field], mutation.address.text);
      return root;
    case "eventId":
      putAt(root, ["eventId"], mutation.address.text);
      return root;
  }
}

const smallJson = fc.jsonValue({ maxDepth: 3 }).map((value): Json => cloneJson(value));
const TARGETED_PATHS: readonly Path[] = [
  ["requestType"],
  ["eventType"],
  ["eventTypeVersion"],
  ["cloudEventVersion"],
  ["eventId"],
  ["data"],
  ["data", "action"],
  ["data", "userProfile"],
  ["data", "userProfileUpdate"],
  ["data", "context"],
  ["data", "userProfile", "email"],
  ["data", "userProfile", "login"],
  ["data", "userProfileUpdate", "email"],
  ["data", "userProfileUpdate", "login"],
];
const INTERESTING_VALUES: readonly Json[] = [
  "self.service.registration",
  "progressive.profile",
  "com.okta.user.pre-registration",
  "1.0",
  1,
  1.5,
  0,
  -1,
  "",
  null,
  true,
  false,
  [],
  {},
  ["1.0"],
  { value: "1.0" },
  "ALLOW",
  "DENY",
];
const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "email",
  "login",
  "userProfile",
  "userProfileUpdate",
  "requestType",
  "data",
  "toJSON",
  "then",
  "length",
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("replace" as const), at: fc.nat(), value: smallJson }),
  fc.record({
    op: fc.constant("add" as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })),
    value: fc.oneof(
      smallJson,
      anyAddress.map((a): Json => ({ email: a.text, login: a.text, polluted: true })),
      anyAddress.map((a): Json => ({ prototype: { email: a.text, polluted: true } })),
    ),
  }),
  fc.record({
    op: fc.constant("set" as const),
    path: fc.constantFrom(...TARGETED_PATHS),
    value: fc.oneof(fc.constantFrom(...INTERESTING_VALUES), smallJson),
  }),
  fc.record({ op: fc.constant("unset" as const), path: fc.constantFrom(...TARGETED_PATHS) }),
  fc.record({
    op: fc.constant("address" as const),
    container: fc.constantFrom("userProfile" as const, "userProfileUpdate" as const),
    field: fc.constantFrom("email" as const, "login" as const),
    address: anyAddress,
  }),
  fc.record({ op: fc.constant("eventId" as const), address: anyAddress }),
);

// ---------------------------------------------------------------------------------------------

before(async () => {
  service = await startService({ ALLOWED_DOMAINS });
});

describe("properties of POST /registrationHook", { timeout: TEST_TIMEOUT_MS }, () => {
  it("the reference model itself decides the documented examples", () => {
    const cases: [string, boolean][] = [
      ["example.com", true],
      ["EXAMPLE.COM", true],
      ["sub.example.com", false],
      ["evilexample.com", false],
      ["example.com.evil.test", false],
      ["ex\u0430mple.com", false],
      ["corp.example.org", false],
      ["eng.corp.example.org", true],
      ["x.y.corp.example.org", true],
      ["acorp.example.org", false],
      ["bücher.example", true],
      ["BÜCHER.example", true],
      ["xn--bcher-kva.example", true],
      ["sub.bücher.example", false],
    ];
    for (const [domain, allowed] of cases)
      assert.equal(modelDomainAllowed(domain), allowed, domain);
    const onlyWildcard = modelEntries("*.example.com");
    assert.equal(modelDomainAllowed("a.example.com", onlyWildcard), true);
    assert.equal(modelDomainAllowed("example.com", onlyWildcard), false);
  });

  it("answers any body text with 200, 400 or 413 on the spec, quickly", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(arbitraryBodyText, async (body) => {
        const model = modelForText(body);
        const res = await call(body, model ? { kind: model.kind } : {});
        seen.add(res.status);
        assert.ok([200, 400, 413].includes(res.status), `status ${res.status}`);
        const tooLarge = Buffer.byteLength(body, "utf8") > BODY_LIMIT;
        assert.equal(res.status === 413, tooLarge, `413 iff over ${BODY_LIMIT} bytes`);
        if (res.status === 200) {
          assert.ok(model, "a 200 answers a JSON body");
          assertAgreesWithModel(res, model, body);
        }
      }),
      { numRuns: 300, timeout: MAX_ANSWER_MS * 2 },
    );
    assert.deepEqual([...seen].sort(), [200, 400, 413], "every answer kind was exercised");
  });

  it("answers any bytes under any JSON-ish content type with 200, 400, 413 or 415", async () => {
    const contentType = fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "application/vnd.okta.hook+json",
      "text/plain",
      "application/x-www-form-urlencoded",
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fixture.map(({ body }) => new Uint8Array(Buffer.from(JSON.stringify(body), "latin1"))),
    );
    await fc.assert(
      fc.asyncProperty(bytes, contentType, async (raw, type) => {
        const res = await call(Buffer.from(raw), { contentType: type });
        assert.ok([200, 400, 413, 415].includes(res.status), `status ${res.status}`);
        const json = type.startsWith("application/json") || type.endsWith("+json");
        if (!json && raw.length > 0) assert.equal(res.status, 415);
      }),
      { numRuns: 100, timeout: MAX_ANSWER_MS * 2 },
    );
  });

  it("answers mutated Okta requests on the spec, and every 200 agrees with the model", async () => {
    let runs = 0;
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(
        fixture,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async ({ body }, mutations) => {
          let mutated = cloneJson(body);
          for (const m of mutations) mutated = mutate(mutated, m);
          const text = JSON.stringify(mutated);
          const model = modelOutcome(JSON.parse(text));
          const res = await call(text, { kind: model.kind });
          runs += 1;
          assert.ok([200, 400, 413].includes(res.status), `status ${res.status}`);
          if (res.status !== 200) return;
          decided += 1;
          assertAgreesWithModel(res, model, text);
        },
      ),
      { numRuns: 300, timeout: MAX_ANSWER_MS * 2 },
    );
    assert.ok(decided >= runs / 5, `only ${decided} of ${runs} mutated requests were decided`);
  });

  it("decides registrations (email and login) as the reference model does", async () => {
    const login = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ sameAsEmail: true as const }) },
      { weight: 3, arbitrary: anyAddress },
      { weight: 2, arbitrary: fc.constantFrom<string | null>("rjones", "jo_smith", "", null) },
    );
    const email = fc.oneof(
      { weight: 10, arbitrary: anyAddress },
      { weight: 1, arbitrary: fc.constantFrom<string | null>("", null) },
    );
    const builders = { selfServiceRegistration, classicRegistration };
    const build = fc.constantFrom(
      "selfServiceRegistration" as const,
      "classicRegistration" as const,
    );
    await fc.assert(
      fc.asyncProperty(email, login, build, async (emailChoice, loginChoice, builderName) => {
        const emailValue =
          emailChoice === null || typeof emailChoice === "string" ? emailChoice : emailChoice.text;
        const loginValue =
          loginChoice === null || typeof loginChoice === "string"
            ? loginChoice
            : "sameAsEmail" in loginChoice
              ? emailValue
              : loginChoice.text;
        const profile = { email: emailValue, login: loginValue };
        const body = JSON.stringify(builders[builderName](profile));
        const model = modelOutcome(JSON.parse(body));
        assert.equal(model.kind, "self.service.registration");
        for (const { acceptable } of model.fields) assert.equal(acceptable.size, 1, "known");
        const res = await call(body, { kind: model.kind });
        assertAgreesWithModel(res, model, body);
        for (const value of [emailValue, loginValue]) {
          if (value?.includes("@")) assert.ok(!res.text.includes(value), "address echoed");
        }
      }),
      { numRuns: 300, timeout: MAX_ANSWER_MS * 2 },
    );
  });

  it("decides progressive profile updates (email in userProfileUpdate) as the model does", async () => {
    const builders = { progressiveProfile, earlyIdentityEngineProgressiveProfile };
    const build = fc.constantFrom(
      "progressiveProfile" as const,
      "earlyIdentityEngineProgressiveProfile" as const,
    );
    await fc.assert(
      fc.asyncProperty(anyAddress, build, async (address, builderName) => {
        const update = { email: address.text, employeeNumber: "1234" };
        const body = JSON.stringify(builders[builderName](update));
        const model = modelOutcome(JSON.parse(body));
        assert.equal(model.kind, "progressive.profile");
        assert.deepEqual(
          model.fields.map((f) => [f.field, [...f.acceptable]]),
          [["email", [verdictForAddress(address)]]],
        );
        const res = await call(body, { kind: model.kind });
        assertAgreesWithModel(res, model, body);
        assert.ok(!res.text.includes(address.text), "address echoed");
      }),
      { numRuns: 200, timeout: MAX_ANSWER_MS * 2 },
    );
  });

  it("refuses every wrong authorization value with 401", async () => {
    const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const base64 = fc.string({ unit: fc.constantFrom(...BASE64), minLength: 16, maxLength: 64 });
    const secretPart = TEST_SECRET.slice("Basic ".length);
    const wrong = fc
      .oneof(
        base64.map((s) => `Basic ${s}`),
        base64.map((s) => `Bearer ${s}`),
        fc
          .record({
            at: fc.integer({ min: "Basic ".length, max: TEST_SECRET.length - 1 }),
            ch: fc.constantFrom(...BASE64),
          })
          .map(({ at, ch }) => TEST_SECRET.slice(0, at) + ch + TEST_SECRET.slice(at + 1)),
        fc.constantFrom(
          `${TEST_SECRET}${secretPart}`,
          `basic ${secretPart}`,
          `Bearer ${secretPart}`,
          secretPart,
        ),
      )
      .filter((value) => value !== TEST_SECRET);
    await fc.assert(
      fc.asyncProperty(wrong, fixture, async (secret, { body }) => {
        const res = await call(JSON.stringify(body), { secret });
        assert.equal(res.status, 401);
      }),
      { numRuns: 100, timeout: MAX_ANSWER_MS * 2 },
    );
  });

  it("never logged the secret, an authorization value or a full address, and logged each decision", () => {
    assert.ok(answered200.size > 0, "the properties above must have run first");
    const raw = service.rawLogs();
    const escaped = (value: string) => JSON.stringify(value).slice(1, -1);
    const appears = (value: string) => raw.includes(value) || raw.includes(escaped(value));

    const secretPart = TEST_SECRET.slice("Basic ".length);
    for (const secret of [TEST_SECRET, secretPart, Buffer.from(secretPart, "base64").toString()]) {
      assert.ok(!appears(secret), "the shared secret is in the logs");
    }
    const leakedAuth = [...sentAuthorizations].filter(appears);
    assert.deepEqual(leakedAuth, [], "authorization values in the logs");
    const leaked = [...addresses.keys()].filter(appears);
    assert.deepEqual(leaked.slice(0, 10), [], `${leaked.length} full addresses in the logs`);

    const decisionLines = service.logs.filter((l) => l.msg === "registration hook decision");
    assert.equal(decisionLines.length, answered200.size, "one decision line per 200 answer");
    const byId = new Map(
      decisionLines.map((line) => [String((line.req as { id?: unknown } | undefined)?.id), line]),
    );
    for (const [id, expected] of answered200) {
      const line = byId.get(id);
      assert.ok(line, `no decision line for 200 answer ${id}`);
      assert.equal(line.decision, expected.decision, id);
      assert.equal(line.reason, expected.reason, id);
      if (expected.kind !== undefined) assert.equal(line.requestType, expected.kind, id);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "prototype polluted");
  });
});
