// The reference model of the email-domain decision for test/properties.test.ts. It shares no
// code with src/policy: domains are lower-cased and converted with WHATWG's domainToASCII,
// entries and addresses are compared as label arrays read from the right, and an address's
// validity comes from how it was built (see arbitraries.ts), not from parsing it.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { domainToASCII } from "node:url";

/** The allow-list the model decides with; the service under test must be started with it. */
export const ALLOWED_DOMAINS = "example.com, *.corp.example.org, bücher.example";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type RequestKind = "self.service.registration" | "progressive.profile";
export type AddressField = "email" | "login";
export type FieldVerdict = "ok" | "INVALID_EMAIL" | "INVALID_EMAIL_DOMAIN";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads only own properties, so a `__proto__` key can never stand in for a missing one. */
export function ownValue(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** Every address any arbitrary produced (sent or not), by its text. */
export const addresses = new Map<string, GeneratedAddress>();

export interface ModelEntry {
  /** ASCII labels, top-level label first. */
  readonly reversedLabels: readonly string[];
  readonly subdomainsOnly: boolean;
}

export function reversedAsciiLabels(domain: string): string[] | undefined {
  const ascii = domainToASCII(domain.toLowerCase());
  if (ascii === "") return undefined;
  const labels = ascii.split(".");
  return labels.includes("") ? undefined : labels.reverse();
}

export function modelEntries(list: string): ModelEntry[] {
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

export const MODEL_ENTRIES = modelEntries(ALLOWED_DOMAINS);

export function modelDomainAllowed(domain: string, entries: readonly ModelEntry[] = MODEL_ENTRIES) {
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
export interface GeneratedAddress {
  readonly text: string;
  readonly valid: boolean;
  /** The domain it was built with (for valid addresses, the one the model decides on). */
  readonly domain: string;
  readonly how: string;
}

export function remember(address: GeneratedAddress): GeneratedAddress {
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

export function verdictForAddress(address: GeneratedAddress): FieldVerdict {
  if (!address.valid) return "INVALID_EMAIL";
  return modelDomainAllowed(address.domain) ? "ok" : "INVALID_EMAIL_DOMAIN";
}

/**
 * For a string no arbitrary built (a mutation's random value) the model only knows what is
 * certainly invalid; otherwise a strict parser may still refuse it, but if it accepts it the
 * domain decision must be the model's.
 */
export function verdictsForUnknownString(value: string): ReadonlySet<FieldVerdict> {
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

export function acceptableVerdicts(value: unknown): ReadonlySet<FieldVerdict> {
  if (typeof value !== "string") return new Set(["INVALID_EMAIL"]);
  const known = addresses.get(value);
  return known ? new Set([verdictForAddress(known)]) : verdictsForUnknownString(value);
}

export interface ModelOutcome {
  readonly kind: RequestKind;
  /** The fields that hold an address, in the order they are reported, with acceptable verdicts. */
  readonly fields: readonly { field: AddressField; acceptable: ReadonlySet<FieldVerdict> }[];
  readonly missingEmail: boolean;
}

/** The model's reading of a request body as JSON.parse sees it (own properties only). */
export function modelOutcome(body: unknown): ModelOutcome {
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
export function modelForText(body: string): ModelOutcome | undefined {
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
