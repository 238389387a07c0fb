// The fast-check arbitraries of test/properties.test.ts: addresses built valid or invalid by
// construction (and remembered for the model), request bodies from Okta's samples and from
// nothing, and mutations of Okta's requests.
import fc from "fast-check";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  earlyIdentityEngineRegistration,
  progressiveProfile,
  selfServiceRegistration,
} from "./fixtures.js";
import {
  type AddressField,
  type GeneratedAddress,
  isObject,
  type Json,
  type JsonObject,
  remember,
} from "./model.js";

/** The service's body limit (src/http). */
export const BODY_LIMIT = 64 * 1024;

/** Assignment that creates an own property even for `__proto__`. */
export function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function cloneJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

// ---------------------------------------------------------------------------------------------
// Address arbitraries.

export const LOCAL_UNITS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~",
  "é",
  "ñ",
  "ж",
  "δ",
  "名",
  "e\u0301", // a letter with a combining mark
];
// At most 3 atoms of 6 units of 3 octets, 2 dots: 56 octets, within the 64-octet limit.
export const atom = fc
  .array(fc.constantFrom(...LOCAL_UNITS), { minLength: 1, maxLength: 6 })
  .map((units) => units.join(""));
export const localPart = fc
  .array(atom, { minLength: 1, maxLength: 3 })
  .map((atoms) => atoms.join("."));

/** Labels put in front of a base domain; all valid in any combination (no right-to-left script). */
export const PREFIX_LABELS = [
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
export const BASE_DOMAINS = [
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

export const domainName = fc
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

export interface Parts {
  readonly local: string;
  readonly domain: string;
}
export const parts = fc.record({ local: localPart, domain: domainName });
export const text = (p: Parts): string => `${p.local}@${p.domain}`;

export const validAddress = parts.map((p) =>
  remember({ text: text(p), valid: true, domain: p.domain, how: "valid" }),
);

export const WHITE_SPACE = [
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
export const INVISIBLE = ["\u00ad", "\u200b", "\u2060", "\ufeff"];

/** Inserts at a UTF-16 index; every unit in the pools is a single BMP code point or a letter+mark. */
export function insertAt(into: string, at: number, piece: string): string {
  const i = at % (into.length + 1);
  return into.slice(0, i) + piece + into.slice(i);
}

export const space = (at: number): string => WHITE_SPACE[at % WHITE_SPACE.length] ?? " ";
export const invisible = (at: number): string => INVISIBLE[at % INVISIBLE.length] ?? "\u00ad";

export type Breaker = (p: Parts, q: Parts, at: number) => string;
/** Each turns valid parts into an address that is invalid under strict parsing, whatever the parts. */
export const BREAKERS: readonly (readonly [string, Breaker])[] = [
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

export const invalidAddress = fc
  .record({
    p: parts,
    q: parts,
    at: fc.nat({ max: 10_000 }),
    breaker: fc.constantFrom(...BREAKERS),
  })
  .map(({ p, q, at, breaker: [how, make] }) =>
    remember({ text: make(p, q, at), valid: false, domain: p.domain, how }),
  );

export const anyAddress = fc.oneof(
  { weight: 3, arbitrary: validAddress },
  { weight: 2, arbitrary: invalidAddress },
);

// ---------------------------------------------------------------------------------------------
// Body arbitraries.

export const FIXTURES: readonly (readonly [string, () => unknown])[] = [
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
export const fixture = fc
  .constantFrom(...FIXTURES)
  .map(([name, build]) => ({ name, body: build() }));

export function nest(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Inserts `"rawKey":value` (both JSON text) first in the body's userProfile(Update). */
export function insideProfile(body: unknown, rawKey: string, value: string): string {
  const json = JSON.stringify(body);
  const at = json.search(/"userProfile(Update)?":\{/);
  if (at === -1) return json;
  const open = json.indexOf("{", at) + 1;
  return `${json.slice(0, open)}"${rawKey}":${value},${json.slice(open)}`;
}

export const deepNesting = fc
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

export const JSON_TOKENS = [
  "{",
  "}",
  "[",
  "]",
  '"',
  ":",
  ",",
  "1",
  "-",
  "e",
  ".",
  "true",
  "null",
  '"a"',
];
export const tokenSoup = fc
  .array(fc.constantFrom(...JSON_TOKENS, " ", "\\", "\u0000", "\ufeff"), { maxLength: 60 })
  .map((tokens) => tokens.join(""));

/** A fixture's text truncated, or with a random string spliced in. */
export const corruptedFixture = fc
  .record({ fixture, at: fc.nat(), cut: fc.nat({ max: 20 }), insert: fc.string({ maxLength: 8 }) })
  .map(({ fixture: { body }, at, cut, insert }) => {
    const json = JSON.stringify(body);
    const i = at % (json.length + 1);
    return json.slice(0, i) + insert + json.slice(i + cut);
  });

/** A fixture padded to around the body limit (some over: 413). */
export const nearLimit = fc
  .record({ fixture, size: fc.integer({ min: BODY_LIMIT - 2_000, max: BODY_LIMIT + 2_000 }) })
  .map(({ fixture: { body }, size }) => {
    const json = JSON.stringify(body);
    return `${json.slice(0, -1)},"padding":"${"x".repeat(Math.max(0, size - json.length - 14))}"}`;
  });

/** Escaped `__proto__` / `constructor.prototype` keys that plain substring checks would miss. */
export const escapedPollution = fc
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

export function serialise(value: unknown): string {
  try {
    const json: string | undefined = JSON.stringify(value);
    return json ?? "";
  } catch {
    return "";
  }
}

export const arbitraryBodyText = fc.oneof(
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

export type Path = readonly (string | number)[];
export type Mutation =
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

export function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
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

export function getAt(root: Json, path: Path): Json | undefined {
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
export function putAt(root: Json, path: Path, value: Json | undefined): void {
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

export function pick<T>(items: readonly T[], at: number): T | undefined {
  return items.length === 0 ? undefined : items[at % items.length];
}

export function mutate(root: Json, mutation: Mutation): Json {
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

export const smallJson = fc.jsonValue({ maxDepth: 3 }).map((value): Json => cloneJson(value));
export const TARGETED_PATHS: readonly Path[] = [
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
export const INTERESTING_VALUES: readonly Json[] = [
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
export const HOSTILE_KEYS = [
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

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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
