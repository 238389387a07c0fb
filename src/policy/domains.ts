// Pure email-address parsing and email-domain allowlist matching for the registration hook.

import { Buffer } from "node:buffer";
import { toASCII } from "tr46";

// tr46 is UTS-46 in JavaScript, so every Node.js version converts and validates alike
// (node:url's domainToASCII differs between 20 and 24, for example on invalid punycode).
const UTS46 = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  verifyDNSLength: false,
  processingOption: "nontransitional",
} as const;

// Converting a domain costs tens of microseconds and registrations come from few domains:
// results are kept, up to a bound (emptied when full, so a flood of new domains costs nothing more).
const ASCII_CACHE = new Map<string, string>();
const ASCII_CACHE_LIMIT = 10_000;

/** The domain's ASCII form, or "" when it is not a valid internationalised domain name. */
function domainToASCII(domain: string): string {
  const known = ASCII_CACHE.get(domain);
  if (known !== undefined) return known;
  const ascii = toASCII(domain, UTS46) ?? "";
  if (ASCII_CACHE.size >= ASCII_CACHE_LIMIT) ASCII_CACHE.clear();
  ASCII_CACHE.set(domain, ascii);
  return ascii;
}

export type EmailParse =
  | { readonly ok: true; readonly local: string; readonly domain: string }
  | { readonly ok: false; readonly problem: string };

export type DomainRule = { readonly kind: "exact" | "subdomains"; readonly domain: string };

export interface DomainPolicy {
  /** Normalized, de-duplicated rules in the order they were first listed. */
  readonly rules: readonly DomainRule[];
  /** ASCII domains that match only themselves. */
  readonly exactDomains: ReadonlySet<string>;
  /** ASCII domains whose proper subdomains (at any depth) match, but not the domain itself. */
  readonly subdomainBases: ReadonlySet<string>;
}

export class DomainPolicyError extends Error {
  override readonly name = "DomainPolicyError";
  /** The offending entry as written, or undefined when the list as a whole is at fault. */
  readonly entry: string | undefined;

  constructor(message: string, entry?: string) {
    super(message);
    this.entry = entry;
  }
}

// RFC 5321 limits, measured in octets; RFC 6531 keeps them in octets of UTF-8.
const MAX_ADDRESS_OCTETS = 254;
const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Only a guard so a huge configuration string never reaches the IDNA code; real limits follow.
const MAX_RAW_DOMAIN_LENGTH = 1024;

const ATEXT_SPECIALS: ReadonlySet<string> = new Set("!#$%&'*+-/=?^_`{|}~");

// Characters with meaning in RFC 5322 headers or in address lists. Refusing them anywhere
// means quoted local parts, display names, comments and lists can never get through.
const HEADER_SPECIALS: ReadonlyMap<string, string> = new Map([
  [",", "contains a comma"],
  ["<", "contains an angle bracket"],
  [">", "contains an angle bracket"],
  ['"', "contains a double quote"],
  ["\\", "contains a backslash"],
  ["(", "contains a parenthesis"],
  [")", "contains a parenthesis"],
  [";", "contains a semicolon"],
  [":", "contains a colon"],
  ["[", "contains a square bracket"],
  ["]", "contains a square bracket"],
]);

const WHITE_SPACE = /^\p{White_Space}$/u;
const CONTROL = /^\p{Cc}$/u;
const LETTER = /^\p{L}$/u;
const MARK = /^\p{M}$/u;
// Invisible code points (joiners, variation selectors, Hangul fillers, BOM...) that would let
// two different-looking strings render the same.
const DEFAULT_IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const FORMAT = /^\p{Cf}$/u;

type DomainCheck =
  | { readonly ok: true; readonly domain: string; readonly labelCount: number }
  | { readonly ok: false; readonly problem: string };

function isLoneSurrogate(ch: string): boolean {
  // `for...of` yields a complete pair as one string of length 2, so a length-1 surrogate is unpaired.
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code >= 0xd800 && code <= 0xdfff;
}

function isAsciiLetter(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z");
}

function isAsciiDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

function isAscii(ch: string): boolean {
  return ch.charCodeAt(0) < 0x80;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// UTS-46 maps some code points (soft hyphen, zero-width space, variation selectors...) to
// nothing. Letting them through would make an address that does not look like the allowed
// domain match it, so any code point that vanishes between two letters is refused.
function isIgnoredByIdna(ch: string): boolean {
  return domainToASCII(`a${ch}a`) === "aa";
}

function checkLocalPart(local: string): string | undefined {
  if (local === "") return "local part is empty";
  if (utf8Length(local) > MAX_LOCAL_OCTETS) return "local part is longer than 64 octets";

  // Combining marks are accepted only after a letter so scripts that need them (Devanagari,
  // Thai, decomposed accents) work while a mark can never start an atom.
  let previous: "start" | "dot" | "letter" | "other" = "start";
  for (const ch of local) {
    if (ch === ".") {
      if (previous === "start") return "local part starts with a dot";
      if (previous === "dot") return "local part has consecutive dots";
      previous = "dot";
    } else if (isAscii(ch)) {
      if (isAsciiLetter(ch)) previous = "letter";
      else if (isAsciiDigit(ch) || ATEXT_SPECIALS.has(ch)) previous = "other";
      else return "local part contains a character that is not allowed";
    } else if (DEFAULT_IGNORABLE.test(ch)) {
      return "local part contains an invisible character";
    } else if (LETTER.test(ch)) {
      previous = "letter";
    } else if (MARK.test(ch) && previous === "letter") {
      previous = "letter";
    } else {
      return "local part contains a character that is not allowed";
    }
  }
  if (previous === "dot") return "local part ends with a dot";
  return undefined;
}

function checkRawDomainCharacters(raw: string): string | undefined {
  for (const ch of raw) {
    if (isLoneSurrogate(ch)) return "domain contains invalid Unicode";
    if (CONTROL.test(ch)) return "domain contains a control character";
    if (WHITE_SPACE.test(ch)) return "domain contains whitespace";
    if (isAscii(ch)) {
      // Only letters, digits, hyphen and dot are host-name characters in ASCII.
      if (!(isAsciiLetter(ch) || isAsciiDigit(ch) || ch === "-" || ch === ".")) {
        return "domain contains a character that is not allowed in a host name";
      }
    } else if (isIgnoredByIdna(ch)) {
      return "domain contains a character that IDNA ignores";
    }
  }
  return undefined;
}

function checkAsciiLabel(label: string): string | undefined {
  if (label.length > MAX_LABEL_LENGTH) return "domain has a label longer than 63 characters";
  for (const ch of label) {
    if (!((ch >= "a" && ch <= "z") || isAsciiDigit(ch) || ch === "-")) {
      return "domain has a label with a character other than a-z, 0-9 and -";
    }
  }
  if (label.charAt(0) === "-" || label.charAt(label.length - 1) === "-") {
    return "domain has a label that starts or ends with a hyphen";
  }
  return undefined;
}

function isAllDigits(label: string): boolean {
  for (const ch of label) if (!isAsciiDigit(ch)) return false;
  return true;
}

function checkDomain(raw: string, minLabels: 1 | 2): DomainCheck {
  if (raw === "") return { ok: false, problem: "domain is empty" };
  if (raw.length > MAX_RAW_DOMAIN_LENGTH) return { ok: false, problem: "domain is too long" };
  const rawProblem = checkRawDomainCharacters(raw);
  if (rawProblem !== undefined) return { ok: false, problem: rawProblem };

  // Checked on the raw labels too, so the message says what is wrong rather than "invalid IDN".
  for (const label of raw.split(".")) {
    if (label === "") {
      return { ok: false, problem: "domain has an empty label (leading, trailing or double dot)" };
    }
    if (label.charAt(0) === "-" || label.charAt(label.length - 1) === "-") {
      return { ok: false, problem: "domain has a label that starts or ends with a hyphen" };
    }
  }

  const ascii = domainToASCII(raw);
  if (ascii === "") {
    return { ok: false, problem: "domain is not a valid internationalized domain name" };
  }
  if (ascii.length > MAX_DOMAIN_LENGTH) return { ok: false, problem: "domain is too long" };

  const labels = ascii.split(".");
  for (const label of labels) {
    if (label === "") {
      return { ok: false, problem: "domain has an empty label (leading, trailing or double dot)" };
    }
  }
  if (labels.length < minLabels) return { ok: false, problem: "domain has only one label" };
  for (const label of labels) {
    const labelProblem = checkAsciiLabel(label);
    if (labelProblem !== undefined) return { ok: false, problem: labelProblem };
  }
  // A numeric top-level label is never a registrable name; this catches dotted IPv4 too.
  const topLevel = labels[labels.length - 1] ?? "";
  if (isAllDigits(topLevel)) return { ok: false, problem: "domain looks like an IP address" };
  // Every top-level domain begins with a letter (xn-- included); "0x1" or "1a" is no name.
  if (!isAsciiLetter(topLevel.charAt(0))) {
    return { ok: false, problem: "domain's top-level label does not begin with a letter" };
  }

  return { ok: true, domain: ascii, labelCount: labels.length };
}

function fail(problem: string): EmailParse {
  return { ok: false, problem };
}

export function parseEmailAddress(input: unknown): EmailParse {
  if (typeof input !== "string") return fail("is not a string");
  if (input === "") return fail("is empty");
  // UTF-16 length never exceeds UTF-8 length, so this rejects oversized input before any scan.
  if (input.length > MAX_ADDRESS_OCTETS || utf8Length(input) > MAX_ADDRESS_OCTETS) {
    return fail("is longer than 254 octets");
  }

  // One pass records what is present; the report then follows a fixed priority so the same
  // kind of input always yields the same problem regardless of where the character sits.
  let invalidUnicode = false;
  let control = false;
  let whitespace = false;
  let special: string | undefined;
  let atCount = 0;
  let atIndex = -1;
  let index = 0;
  for (const ch of input) {
    if (isLoneSurrogate(ch)) invalidUnicode = true;
    else if (CONTROL.test(ch)) control = true;
    else if (WHITE_SPACE.test(ch)) whitespace = true;
    else if (ch === "@") {
      atCount += 1;
      atIndex = index;
    } else special ??= HEADER_SPECIALS.get(ch);
    index += ch.length;
  }

  if (invalidUnicode) return fail("contains invalid Unicode");
  if (control) return fail("contains a control character");
  if (whitespace) return fail("contains whitespace");
  if (atCount === 0) return fail("has no @");
  if (atCount > 1) return fail("has more than one @");

  const local = input.slice(0, atIndex);
  const rawDomain = input.slice(atIndex + 1);
  if (rawDomain.charAt(0) === "[") return fail("domain is an address literal");
  if (special !== undefined) return fail(special);

  const localProblem = checkLocalPart(local);
  if (localProblem !== undefined) return fail(localProblem);

  const domain = checkDomain(rawDomain, 2);
  if (!domain.ok) return fail(domain.problem);
  // Punycode can make the domain longer than it was typed; the limit applies to what is sent.
  if (utf8Length(local) + 1 + domain.domain.length > MAX_ADDRESS_OCTETS) {
    return fail("is longer than 254 octets");
  }

  return { ok: true, local, domain: domain.domain };
}

export function parseDomainList(raw: string): string[] {
  return raw.split(/[\s,]+/u).filter((entry) => entry !== "");
}

/** Quotes a configuration value for a message (they end up in logs): bounded, invisible and line-breaking characters escaped. */
export function quoteEntry(entry: string, limit = 100): string {
  let out = "";
  let count = 0;
  for (const ch of entry) {
    if (count === limit) {
      out += "…";
      break;
    }
    count += 1;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (
      isLoneSurrogate(ch) ||
      CONTROL.test(ch) ||
      DEFAULT_IGNORABLE.test(ch) ||
      (ch !== " " && WHITE_SPACE.test(ch)) ||
      FORMAT.test(ch)
    ) {
      out += `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
    } else out += ch;
  }
  return `"${out}"`;
}

function entryError(entry: string, why: string): DomainPolicyError {
  return new DomainPolicyError(`entry ${quoteEntry(entry)}: ${why}`, entry);
}

function compileEntry(entry: string): DomainRule {
  if (entry === "") throw entryError(entry, "is empty");
  if (entry === "*") {
    throw entryError(
      entry,
      'a bare "*" would allow every domain; list domains such as "*.example.com"',
    );
  }

  const wildcard = entry.slice(0, 2) === "*.";
  const rest = wildcard ? entry.slice(2) : entry;
  if (rest.indexOf("*") !== -1) {
    throw entryError(entry, '"*" is only allowed as a leading "*." before a domain');
  }
  if (rest.indexOf("@") !== -1) {
    throw entryError(entry, "looks like an email address; list only the domain");
  }
  if (!wildcard && rest.charAt(0) === ".") {
    throw entryError(entry, 'starts with a dot; write "*.example.com" to allow subdomains');
  }

  const checked = checkDomain(rest, wildcard ? 1 : 2);
  if (!checked.ok) throw entryError(entry, `is not a valid domain (${checked.problem})`);
  if (wildcard && checked.labelCount < 2) {
    // Without the Public Suffix List only single-label suffixes can be recognised here.
    throw entryError(entry, "a wildcard over a single label would allow a whole top-level domain");
  }
  return { kind: wildcard ? "subdomains" : "exact", domain: checked.domain };
}

export function compileDomainPolicy(entries: readonly string[]): DomainPolicy {
  if (entries.length === 0) {
    throw new DomainPolicyError("is empty; list at least one domain");
  }

  const rules: DomainRule[] = [];
  const exactDomains = new Set<string>();
  const subdomainBases = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== "string") throw entryError(String(entry), "is not a string");
    const rule = compileEntry(entry);
    const target = rule.kind === "exact" ? exactDomains : subdomainBases;
    if (target.has(rule.domain)) continue;
    target.add(rule.domain);
    rules.push(Object.freeze(rule));
  }

  return Object.freeze({ rules: Object.freeze(rules), exactDomains, subdomainBases });
}

// The matcher trusts nothing it did not normalise itself: anything that is not already a
// lower-case LDH name with non-empty labels is denied rather than guessed at.
function isCanonicalAsciiDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH) return false;
  let labelLength = 0;
  for (const ch of domain) {
    if (ch === ".") {
      if (labelLength === 0) return false;
      labelLength = 0;
    } else if ((ch >= "a" && ch <= "z") || isAsciiDigit(ch) || ch === "-") {
      labelLength += 1;
    } else {
      return false;
    }
  }
  return labelLength > 0;
}

export function isDomainAllowed(asciiDomain: string, policy: DomainPolicy): boolean {
  if (typeof asciiDomain !== "string" || !isCanonicalAsciiDomain(asciiDomain)) return false;
  if (policy.exactDomains.has(asciiDomain)) return true;

  const labels = asciiDomain.split(".");
  // Start at 1 so the domain itself is never looked up as a wildcard base (the apex of
  // "*.example.com" is not allowed), and stop before the single top-level label.
  for (let i = 1; i < labels.length - 1; i += 1) {
    if (policy.subdomainBases.has(labels.slice(i).join("."))) return true;
  }
  return false;
}

export function describePolicy(policy: DomainPolicy): string[] {
  return policy.rules.map((rule) => (rule.kind === "exact" ? rule.domain : `*.${rule.domain}`));
}
