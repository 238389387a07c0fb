// Domain lists: the built-in `disposable` and `free-webmail` lists from npm packages, and
// custom lists from files. Each is compiled once into a Set of ASCII domains; a lookup walks
// the address's domain and its parents (never the bare top-level label), so its cost does not
// depend on the list's size.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { compileDomainPolicy, DomainPolicyError } from "../domains.js";
import type { Reason } from "./reasons.js";

export interface CompiledList {
  readonly name: string;
  /** `package@version` for a built-in list, the file's path for a custom one. */
  readonly source: string;
  /** Distinct domains in the list. */
  readonly size: number;
  /** Entries of a built-in list that are not valid domains and were left out. */
  readonly skipped: number;
  readonly builtIn: boolean;
  /** The reason a deny rule matching through this list gives unless it names its own. */
  readonly reason: Reason;
  /** sha256 of the sorted domains: what the list holds, whatever its file looks like. */
  readonly digest: string;
  readonly domains: ReadonlySet<string>;
}

export const BUILT_IN_LISTS = ["disposable", "free-webmail"] as const;
export type BuiltInListName = (typeof BUILT_IN_LISTS)[number];

export function isBuiltInList(name: string): name is BuiltInListName {
  return (BUILT_IN_LISTS as readonly string[]).includes(name);
}

const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const MAX_LIST_FILE_BYTES = 64 * 1024 * 1024;

function isLdh(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d
  );
}

/**
 * The entry's lower-case form when it is a plain ASCII host name that IDNA maps to itself
 * (letters, digits, inner hyphens, at least two labels, a top-level label starting with a
 * letter, no `??--` label such as `xn--`); undefined sends the entry to the full check. For
 * such entries the result is exactly the full check's, without tr46's cost (~25 µs an entry),
 * which matters for lists of tens of thousands of domains.
 */
export function plainAsciiDomain(entry: string): string | undefined {
  const length = entry.length;
  if (length === 0 || length > MAX_DOMAIN_LENGTH) return undefined;
  let labelStart = 0;
  let labels = 0;
  for (let i = 0; i <= length; i += 1) {
    const code = i === length ? 0x2e : entry.charCodeAt(i);
    if (code !== 0x2e) {
      if (!isLdh(code)) return undefined;
      continue;
    }
    const labelLength = i - labelStart;
    if (labelLength === 0 || labelLength > MAX_LABEL_LENGTH) return undefined;
    if (entry.charCodeAt(labelStart) === 0x2d || entry.charCodeAt(i - 1) === 0x2d) return undefined;
    if (
      labelLength >= 4 &&
      entry.charCodeAt(labelStart + 2) === 0x2d &&
      entry.charCodeAt(labelStart + 3) === 0x2d
    ) {
      return undefined;
    }
    labels += 1;
    if (i === length) {
      const first = entry.charCodeAt(labelStart) | 0x20;
      if (first < 0x61 || first > 0x7a) return undefined;
    }
    labelStart = i + 1;
  }
  if (labels < 2) return undefined;
  return entry.toLowerCase();
}

export type DomainEntryCheck =
  | { readonly ok: true; readonly domain: string }
  | { readonly ok: false; readonly problem: string };

/** One list entry as a domain, with exactly the parser of ALLOWED_DOMAINS (IDNA → ASCII). */
export function checkListEntry(entry: string): DomainEntryCheck {
  const plain = plainAsciiDomain(entry);
  if (plain !== undefined) return { ok: true, domain: plain };
  if (entry.includes("*")) {
    return {
      ok: false,
      problem: 'a list entry matches all its subdomains already; write it without "*"',
    };
  }
  try {
    const [rule] = compileDomainPolicy([entry]).rules;
    if (rule === undefined) return { ok: false, problem: "is not a valid domain" };
    return { ok: true, domain: rule.domain };
  } catch (error) {
    if (error instanceof DomainPolicyError) return { ok: false, problem: error.message };
    throw error;
  }
}

function digestOf(domains: ReadonlySet<string>): string {
  const sorted = [...domains].sort();
  return createHash("sha256").update(sorted.join("\n")).digest("hex");
}

/** Thrown while reading a list file; the caller turns it into a PolicyError naming the list. */
export class ListFileError extends Error {
  override readonly name = "ListFileError";
  /** The 1-based line at fault, when one is. */
  readonly line: number | undefined;
  constructor(problem: string, line?: number) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.line = line;
  }
}

/** Domains of a list file: one a line, `#` to the end of the line is a comment, blanks ignored. */
export function parseListText(text: string): Set<string> {
  const domains = new Set<string>();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf("\n", start);
    if (end === -1) end = body.length;
    line += 1;
    let raw = body.slice(start, end);
    start = end + 1;
    const hash = raw.indexOf("#");
    if (hash !== -1) raw = raw.slice(0, hash);
    const entry = raw.trim();
    if (entry === "") continue;
    const checked = checkListEntry(entry);
    if (!checked.ok) throw new ListFileError(checked.problem, line);
    domains.add(checked.domain);
  }
  return domains;
}

export function compileListFile(name: string, path: string): CompiledList {
  const bytes = readFileSync(path);
  if (bytes.length > MAX_LIST_FILE_BYTES) {
    throw new ListFileError(`is larger than ${MAX_LIST_FILE_BYTES} bytes`);
  }
  const domains = parseListText(bytes.toString("utf8"));
  return Object.freeze({
    name,
    source: path,
    size: domains.size,
    skipped: 0,
    builtIn: false,
    reason: "DENIED_EMAIL_DOMAIN",
    digest: digestOf(domains),
    domains,
  });
}

// Built-in lists are read from their packages on first use and shared by every policy.
const require = createRequire(import.meta.url);

function packageVersion(pkg: string): string {
  const manifest = require(`${pkg}/package.json`) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}

function builtInEntries(name: BuiltInListName): { source: string; entries: readonly unknown[] } {
  if (name === "disposable") {
    // disposable-email-domains-js: the community disposable-email-domains blocklist (CC0).
    const pkg = "disposable-email-domains-js";
    const { disposableEmailBlocklist } = require(pkg) as {
      disposableEmailBlocklist: () => unknown[];
    };
    return { source: `${pkg}@${packageVersion(pkg)}`, entries: disposableEmailBlocklist() };
  }
  // freemail: data/free.txt, free webmail providers only (its disposable.txt is separate).
  const pkg = "freemail";
  const text = readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), "data/free.txt"));
  return { source: `${pkg}@${packageVersion(pkg)}`, entries: text.toString("utf8").split("\n") };
}

const builtInCache = new Map<BuiltInListName, CompiledList>();

export function builtInList(name: BuiltInListName): CompiledList {
  const cached = builtInCache.get(name);
  if (cached !== undefined) return cached;
  const { source, entries } = builtInEntries(name);
  const domains = new Set<string>();
  let skipped = 0;
  for (const entry of entries) {
    const text = typeof entry === "string" ? entry.trim() : "";
    if (text === "" || text.startsWith("#")) continue;
    const checked = checkListEntry(text);
    if (checked.ok) domains.add(checked.domain);
    else skipped += 1;
  }
  const list: CompiledList = Object.freeze({
    name,
    source,
    size: domains.size,
    skipped,
    builtIn: true,
    reason: name === "disposable" ? "DISPOSABLE_EMAIL" : "FREE_EMAIL_PROVIDER",
    digest: digestOf(domains),
    domains,
  });
  builtInCache.set(name, list);
  return list;
}

/**
 * The domain and each parent that has at least two labels: `a.b.yopmail.com` →
 * [`a.b.yopmail.com`, `b.yopmail.com`, `yopmail.com`]. The domain is a canonical ASCII
 * domain from parseEmailAddress (at most 127 labels).
 */
export function domainAndParents(domain: string): string[] {
  const out = [domain];
  let dot = domain.indexOf(".");
  while (dot !== -1) {
    const next = domain.indexOf(".", dot + 1);
    if (next === -1) break;
    out.push(domain.slice(dot + 1));
    dot = next;
  }
  return out;
}

export function listMatches(list: CompiledList, candidates: readonly string[]): boolean {
  for (const candidate of candidates) if (list.domains.has(candidate)) return true;
  return false;
}
