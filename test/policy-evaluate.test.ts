// The policy engine's semantics: order, first match per address, defaults, lists, report-only
// rules and mode, enrichment, locales, the answer and its debugContext.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { responseFor } from "../src/policy/answer.js";
import { decide } from "../src/policy/decide.js";
import { compileDomainPolicy } from "../src/policy/domains.js";
import {
  answerFor,
  BUILT_IN_MESSAGES,
  type CompiledPolicy,
  compilePolicy,
  describePolicy,
  evaluatePolicy,
  loadPolicyFile,
  negotiateLocale,
  policyFromAllowedDomains,
  serialiseAnswer,
  type Verdict,
} from "../src/policy/engine/index.js";
import type { RegistrationHookRequest, RegistrationHookResponse } from "../src/spec.js";
import { classicRegistration, progressive, registration } from "./fixtures/policy/requests.js";
import { responseViolations } from "./fixtures/policy/spec.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/policy/", import.meta.url));
const full = loadPolicyFile(`${FIXTURES}full.yaml`);

function policy(document: Record<string, unknown>): CompiledPolicy {
  return compilePolicy(document, { baseDir: FIXTURES, name: "inline" });
}

/** Evaluates and answers, checking every answer against the spec on the way. */
function answer(
  request: RegistrationHookRequest,
  p: CompiledPolicy,
  locale?: string,
): { verdict: Verdict; response: RegistrationHookResponse } {
  const verdict = evaluatePolicy(request, p);
  const response = locale === undefined ? answerFor(verdict, p) : answerFor(verdict, p, locale);
  assert.deepEqual(responseViolations(response), [], JSON.stringify(response));
  assert.equal(serialiseAnswer(verdict, p, locale ?? verdict.locale), JSON.stringify(response));
  return { verdict, response };
}

function email(address: string): RegistrationHookRequest {
  return registration({ email: address });
}

describe("evaluatePolicy: the semantics table", () => {
  const cases: ReadonlyArray<{
    name: string;
    request: RegistrationHookRequest;
    outcome: "allow" | "deny";
    rules: string[];
    reasons?: string[];
  }> = [
    { name: "exact domain", request: email("jo@example.com"), outcome: "allow", rules: ["staff"] },
    {
      name: "wildcard subdomain at any depth",
      request: email("jo@a.b.example.com"),
      outcome: "allow",
      rules: ["staff"],
    },
    {
      name: "look-alike domain falls to the default deny",
      request: email("jo@evilexample.com"),
      outcome: "deny",
      rules: ["default"],
      reasons: ["INVALID_EMAIL_DOMAIN"],
    },
    {
      name: "exact address, case-insensitive on both sides",
      request: email("ALICE@partner.EXAMPLE"),
      outcome: "allow",
      rules: ["partners"],
    },
    {
      name: "another address at the partner is not the partner rule",
      request: email("bob@partner.example"),
      outcome: "deny",
      rules: ["default"],
      reasons: ["INVALID_EMAIL_DOMAIN"],
    },
    {
      name: "built-in disposable list, subdomain of a listed domain",
      request: email("jo@a.b.yopmail.com"),
      outcome: "deny",
      rules: ["throwaway"],
      reasons: ["DISPOSABLE_EMAIL"],
    },
    {
      name: "custom list gives DENIED_EMAIL_DOMAIN",
      request: email("jo@mail.reseller.example"),
      outcome: "deny",
      rules: ["resellers"],
      reasons: ["DENIED_EMAIL_DOMAIN"],
    },
    {
      name: "custom list entries are normalised (case, IDNA)",
      request: email("jo@BÜCHER-shop.example"),
      outcome: "deny",
      rules: ["resellers"],
      reasons: ["DENIED_EMAIL_DOMAIN"],
    },
    {
      name: "report-only webmail rule does not decide: the next rule does",
      request: email("jo@gmail.com"),
      outcome: "allow",
      rules: ["gmail-beta"],
    },
    {
      name: "first match wins: the allow above the address deny",
      request: email("mallory@gmail.com"),
      outcome: "allow",
      rules: ["gmail-beta"],
    },
    {
      name: "every address must pass: allowed email, disposable login",
      request: registration({ email: "jo@example.com", login: "jo@yopmail.com" }),
      outcome: "deny",
      rules: ["staff", "throwaway"],
      reasons: ["DISPOSABLE_EMAIL"],
    },
    {
      name: "a login without @ is a user name, not checked",
      request: registration({ email: "jo@example.com", login: "jo" }),
      outcome: "allow",
      rules: ["staff"],
    },
    {
      name: "invalid address",
      request: email("jo@@example.com"),
      outcome: "deny",
      rules: ["address"],
      reasons: ["INVALID_EMAIL"],
    },
    {
      name: "registration without address",
      request: registration({ firstName: "Jo" }),
      outcome: "deny",
      rules: ["address"],
      reasons: ["MISSING_EMAIL"],
    },
    {
      name: "Classic registration (no requestType)",
      request: classicRegistration({ email: "jo@yopmail.com" }),
      outcome: "deny",
      rules: ["throwaway"],
      reasons: ["DISPOSABLE_EMAIL"],
    },
    {
      name: "progressive profile without address change",
      request: progressive({ employeeNumber: "1" }),
      outcome: "allow",
      rules: [],
    },
    {
      name: "progressive profile changing the email to a disposable one",
      request: progressive({ email: "jo@yopmail.com" }),
      outcome: "deny",
      rules: ["throwaway"],
      reasons: ["DISPOSABLE_EMAIL"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { verdict, response } = answer(c.request, full);
      assert.equal(verdict.outcome, c.outcome);
      assert.deepEqual(
        verdict.addresses.map((a) => a.rule),
        c.rules,
      );
      assert.deepEqual([...new Set(verdict.refusals.map((r) => r.reason))], c.reasons ?? []);
      const command = response.commands?.[0];
      assert.deepEqual(command, {
        type: "com.okta.action.update",
        value: { registration: c.outcome === "allow" ? "ALLOW" : "DENY" },
      });
    });
  }

  it("default allow lets unmatched addresses through", () => {
    const p = policy({
      default: "allow",
      rules: [{ id: "t", match: { lists: ["disposable"] }, action: "deny" }],
    });
    assert.equal(evaluatePolicy(email("jo@unknown.example"), p).outcome, "allow");
    assert.equal(evaluatePolicy(email("jo@yopmail.com"), p).outcome, "deny");
  });

  it("an allow above a list overrides the list for those domains only", () => {
    const p = policy({
      default: "allow",
      rules: [
        { id: "ok", match: { domains: ["yopmail.com"] }, action: "allow" },
        { id: "t", match: { lists: ["disposable"] }, action: "deny" },
      ],
    });
    assert.equal(evaluatePolicy(email("jo@yopmail.com"), p).outcome, "allow");
    assert.equal(evaluatePolicy(email("jo@sub.yopmail.com"), p).outcome, "deny");
  });

  it("lists never match the bare top-level label", () => {
    // A list holding a whole TLD cannot be written (single label), and lookups stop before it.
    const p = policy({
      default: "allow",
      lists: { r: { file: "lists/resellers.txt" } },
      rules: [{ id: "r", match: { lists: ["r"] }, action: "deny" }],
    });
    assert.equal(evaluatePolicy(email("jo@example"), p).outcome, "deny"); // single label: INVALID_EMAIL
    assert.equal(evaluatePolicy(email("jo@example"), p).refusals[0]?.reason, "INVALID_EMAIL");
    assert.equal(evaluatePolicy(email("jo@other.example"), p).outcome, "allow");
  });

  it("default reasons by match kind, and a rule's own reason", () => {
    const p = policy({
      default: "allow",
      rules: [
        { id: "a", match: { addresses: ["x@a.example"] }, action: "deny" },
        { id: "d", match: { domains: ["d.example"] }, action: "deny" },
        { id: "w", match: { lists: ["free-webmail"] }, action: "deny" },
        { id: "own", match: { domains: ["own.example"] }, action: "deny", reason: "NOT_NOW" },
      ],
      messages: { NOT_NOW: { en: "Not now." } },
    });
    const reason = (address: string) => evaluatePolicy(email(address), p).refusals[0]?.reason;
    assert.equal(reason("x@a.example"), "DENIED_EMAIL_ADDRESS");
    assert.equal(reason("y@d.example"), "DENIED_EMAIL_DOMAIN");
    assert.equal(reason("y@hotmail.com"), "FREE_EMAIL_PROVIDER");
    assert.equal(reason("y@own.example"), "NOT_NOW");
    const { response } = answer(email("y@own.example"), p);
    assert.equal(response.error?.errorCauses?.[0]?.errorSummary, "Not now.");
  });

  it("within one rule, the address match is preferred to domains and lists for the reason", () => {
    const p = policy({
      default: "allow",
      rules: [
        {
          id: "r",
          match: { lists: ["disposable"], addresses: ["jo@yopmail.com"] },
          action: "deny",
        },
      ],
    });
    assert.equal(
      evaluatePolicy(email("jo@yopmail.com"), p).refusals[0]?.reason,
      "DENIED_EMAIL_ADDRESS",
    );
    assert.equal(
      evaluatePolicy(email("al@yopmail.com"), p).refusals[0]?.reason,
      "DISPOSABLE_EMAIL",
    );
  });
});

describe("evaluatePolicy: report-only", () => {
  it("an enforce: false rule is reported, and the decision is made without it", () => {
    const { verdict, response } = answer(email("jo@gmail.com"), full);
    assert.deepEqual(verdict.reportOnly, [
      { rule: "webmail", action: "deny", reason: "FREE_EMAIL_PROVIDER", field: "email" },
    ]);
    assert.equal(response.debugContext?.reportOnly, "webmail:FREE_EMAIL_PROVIDER");
  });

  it("a report-only rule that matches after the deciding rule is not reported", () => {
    const p = policy({
      default: "deny",
      rules: [
        { id: "first", match: { domains: ["gmail.com"] }, action: "allow" },
        { id: "later", match: { lists: ["free-webmail"] }, action: "deny", enforce: false },
      ],
    });
    assert.deepEqual(evaluatePolicy(email("jo@gmail.com"), p).reportOnly, []);
  });

  it("mode report allows everything and reports what it would have denied", () => {
    const p = policy({
      default: "deny",
      mode: "report",
      rules: [
        { id: "staff", match: { domains: ["example.com"] }, action: "allow", profile: { a: 1 } },
        { id: "t", match: { lists: ["disposable"] }, action: "deny" },
        { id: "w", match: { lists: ["free-webmail"] }, action: "deny", enforce: false },
      ],
    });
    const cases: ReadonlyArray<[RegistrationHookRequest, string]> = [
      [email("jo@yopmail.com"), "t:DISPOSABLE_EMAIL"],
      [email("jo@nowhere.example"), "default:INVALID_EMAIL_DOMAIN"],
      [email("jo@gmail.com"), "w:FREE_EMAIL_PROVIDER,default:INVALID_EMAIL_DOMAIN"],
      [email("not-an-address"), "address:INVALID_EMAIL"],
      [registration({}), "address:MISSING_EMAIL"],
    ];
    for (const [request, reported] of cases) {
      const { verdict, response } = answer(request, p);
      assert.equal(verdict.outcome, "allow");
      assert.deepEqual(verdict.refusals, []);
      assert.equal(response.error, undefined);
      assert.equal(response.debugContext?.reportOnly, reported);
      assert.equal(response.debugContext?.mode, "report");
      assert.equal(response.debugContext?.decision, "ALLOW");
    }
    // A dry run changes nothing: no enrichment either.
    const { response } = answer(email("jo@example.com"), p);
    assert.equal(response.commands?.length, 1);
  });
});

describe("evaluatePolicy: profile enrichment", () => {
  it("adds a profile update after ALLOW on an allowed registration", () => {
    const { response } = answer(email("jo@example.com"), full);
    assert.deepEqual(response.commands, [
      { type: "com.okta.action.update", value: { registration: "ALLOW" } },
      {
        type: "com.okta.user.profile.update",
        value: { organization: "Example Inc", isStaff: true, costCenter: null },
      },
    ]);
  });

  it("merges the deciding rules of both addresses, the email's rule winning", () => {
    const { response } = answer(
      registration({ email: "alice@partner.example", login: "jo@example.com" }),
      full,
    );
    assert.deepEqual(response.commands?.[1], {
      type: "com.okta.user.profile.update",
      value: { organization: "Partner Ltd", partnerTier: 2, isStaff: true, costCenter: null },
    });
  });

  it("never on a denial", () => {
    const { response } = answer(
      registration({ email: "jo@example.com", login: "jo@yopmail.com" }),
      full,
    );
    assert.equal(response.commands?.length, 1);
    assert.equal(response.commands?.[0]?.type, "com.okta.action.update");
  });

  it("never on progressive profile", () => {
    const { verdict, response } = answer(progressive({ email: "jo@example.com" }), full);
    assert.equal(verdict.outcome, "allow");
    assert.equal(verdict.profile, undefined);
    assert.deepEqual(response.commands, [
      { type: "com.okta.action.update", value: { registration: "ALLOW" } },
    ]);
  });

  it("not from a report-only allow rule nor from the default", () => {
    const p = policy({
      default: "allow",
      rules: [
        {
          id: "x",
          match: { domains: ["example.com"] },
          action: "allow",
          enforce: false,
          profile: { a: 1 },
        },
      ],
    });
    const { verdict, response } = answer(email("jo@example.com"), p);
    assert.deepEqual(verdict.reportOnly, [{ rule: "x", action: "allow", field: "email" }]);
    assert.equal(response.commands?.length, 1);
    assert.equal(response.debugContext?.reportOnly, "x:ALLOW");
  });
});

describe("locales", () => {
  it("falls back de-CH → de → defaultLocale → en, per message", () => {
    const ask = (locale: unknown) =>
      answer(registration({ email: "jo@nowhere.example", locale }), full).response.error;
    assert.equal(
      ask("de-CH")?.errorCauses?.[0]?.errorSummary,
      "Registrierung für diese Domain nicht möglich (CH).",
    );
    assert.equal(ask("de-CH")?.errorSummary, "Registrierung abgelehnt."); // from de
    assert.equal(
      ask("de-AT")?.errorCauses?.[0]?.errorSummary,
      "Die Registrierung ist für E-Mail-Adressen dieser Domain nicht möglich.",
    );
    assert.equal(ask("fr")?.errorCauses?.[0]?.errorSummary, BUILT_IN_MESSAGES.INVALID_EMAIL_DOMAIN);
    assert.equal(ask("fr")?.errorSummary, BUILT_IN_MESSAGES.REGISTRATION_DENIED);
  });

  it("reads Okta's en_US and de_CH forms, case-insensitively", () => {
    assert.equal(negotiateLocale("de_CH", full), "de-ch");
    assert.equal(negotiateLocale("DE-ch", full), "de-ch");
    assert.equal(negotiateLocale("en_US", full), "en");
    assert.equal(negotiateLocale("fr_CA", full), "fr");
    assert.equal(negotiateLocale("pt-BR", full), "en");
  });

  it("uses the policy's defaultLocale when the person's has no message", () => {
    const p = policy({
      default: "deny",
      defaultLocale: "fr",
      rules: [],
      messages: { INVALID_EMAIL_DOMAIN: { fr: "Domaine refusé." } },
    });
    assert.equal(negotiateLocale("ja", p), "fr");
    const { response } = answer(registration({ email: "jo@x.example", locale: "ja_JP" }), p);
    assert.equal(response.error?.errorCauses?.[0]?.errorSummary, "Domaine refusé.");
    // Reasons without a French message fall back to English.
    const invalid = answer(registration({ email: "nope", locale: "ja" }), p).response;
    assert.equal(invalid.error?.errorCauses?.[0]?.errorSummary, BUILT_IN_MESSAGES.INVALID_EMAIL);
  });

  it("reads a progressive profile's locale from the existing user's profile", () => {
    const { response } = answer(progressive({ email: "jo@yopmail.com" }, "fr_FR"), full);
    assert.equal(
      response.error?.errorCauses?.[0]?.errorSummary,
      "Utilisez une adresse e-mail permanente.",
    );
  });

  it("an explicit locale overrides the request's", () => {
    const verdict = evaluatePolicy(registration({ email: "jo@yopmail.com", locale: "de" }), full);
    assert.equal(
      answerFor(verdict, full, "fr-BE").error?.errorCauses?.[0]?.errorSummary,
      "Utilisez une adresse e-mail permanente.",
    );
  });

  it("ignores hostile locale strings", () => {
    const hostile: unknown[] = [
      "x".repeat(100_000),
      `de-${"a".repeat(70)}`,
      "de\u0000CH",
      "de\nCH",
      "\u202ede-CH",
      "de-CH\u200f",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "de--CH",
      "-de",
      "d",
      "de-CH-",
      "de CH",
      "ДЕ",
      "de-ＣＨ",
      42,
      null,
      { toString: () => "de" },
      ["de"],
      "a-b-c-d-e-f-g-h-i-j-k",
    ];
    for (const locale of hostile) {
      const { response } = answer(registration({ email: "jo@nowhere.example", locale }), full);
      assert.equal(
        response.error?.errorCauses?.[0]?.errorSummary,
        BUILT_IN_MESSAGES.INVALID_EMAIL_DOMAIN,
        String(locale).slice(0, 40),
      );
      assert.equal(negotiateLocale(locale, full), "en");
    }
  });
});

describe("answerFor", () => {
  it("builds today's error shape, one cause per failing field, email first", () => {
    const { response } = answer(registration({ email: "jo@yopmail.com", login: "jo@@x" }), full);
    assert.deepEqual(response.error, {
      errorSummary: "Registration denied: the email address was not accepted.",
      errorCauses: [
        {
          errorSummary: "Use a permanent email address.",
          reason: "DISPOSABLE_EMAIL",
          locationType: "body",
          location: "data.userProfile.email",
          domain: "end-user",
        },
        {
          errorSummary: "Enter a valid email address.",
          reason: "INVALID_EMAIL",
          locationType: "body",
          location: "data.userProfile.login",
          domain: "end-user",
        },
      ],
    });
    assert.deepEqual(response.debugContext, {
      decision: "DENY",
      rules: "throwaway,address",
      reasons: "DISPOSABLE_EMAIL,INVALID_EMAIL",
      policyVersion: full.version,
    });
  });

  it("gives exactly today's answers for an ALLOWED_DOMAINS policy, plus debugContext", () => {
    const entries = ["example.com", "*.corp.example.org"];
    const p = policyFromAllowedDomains(entries);
    const today = compileDomainPolicy(entries);
    const requests = [
      email("jo@example.com"),
      email("jo@a.corp.example.org"),
      email("jo@corp.example.org"),
      email("jo@gmail.com"),
      email("bad"),
      registration({}),
      registration({ email: "jo@example.com", login: "x@gmail.com" }),
      progressive({ employeeNumber: "1" }),
      progressive({ email: "jo@evil.example" }),
    ];
    for (const request of requests) {
      const { response } = answer(request, p);
      const { debugContext, ...rest } = response;
      assert.deepEqual(rest, responseFor(decide(request, today)));
      assert.equal(debugContext?.policyVersion, p.version);
    }
  });

  it("keeps debugContext bounded and free of addresses", () => {
    const rules = Array.from({ length: 40 }, (_, i) => ({
      id: `report-only-rule-number-${i}-${"x".repeat(30)}`,
      match: { domains: ["example.com"] },
      action: "deny",
      enforce: false,
    }));
    const p = policy({ default: "allow", rules });
    const { response } = answer(
      registration({ email: "secret.person@example.com", login: "secret.person@example.com" }),
      p,
    );
    const text = JSON.stringify(response.debugContext);
    assert.ok(text.length < 512, `${text.length}`);
    assert.ok(!text.includes("secret.person"));
    assert.match(String(response.debugContext?.reportOnly), /,\+\d+$/u);
    for (const value of Object.values(response.debugContext ?? {}))
      assert.equal(typeof value, "string");
  });

  it("answers are cached per combination, and are frozen", () => {
    const a = answerFor(evaluatePolicy(email("jo@yopmail.com"), full), full);
    const b = answerFor(evaluatePolicy(email("al@other.yopmail.com"), full), full);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.commands));
  });

  it("the cache stays bounded under many locales and combinations", () => {
    for (let i = 0; i < 3000; i += 1) {
      const verdict = evaluatePolicy(
        registration({ email: `jo@x${i}.example`, locale: `x${i}` }),
        full,
      );
      answerFor(verdict, full, `zz-${i}`);
    }
    assert.ok(true);
  });
});

describe("describePolicy", () => {
  it("names rules, lists with their source and size, and the version", () => {
    const d = describePolicy(full);
    assert.equal(d.version, full.version);
    assert.match(d.version, /^[0-9a-f]{12}$/u);
    assert.deepEqual(
      d.rules.map((r) => r.id),
      ["partners", "staff", "throwaway", "resellers", "webmail", "gmail-beta", "banned"],
    );
    const lists = Object.fromEntries(d.lists.map((l) => [l.name, l]));
    assert.equal(lists.resellers?.size, 3);
    assert.match(String(lists.resellers?.source), /lists\/resellers\.txt$/u);
    assert.match(String(lists.disposable?.source), /^disposable-email-domains-js@\d/u);
    assert.match(String(lists["free-webmail"]?.source), /^freemail@\d/u);
    assert.ok((lists.disposable?.size ?? 0) > 1000);
    assert.ok(!JSON.stringify(d).includes("alice"));
  });

  it("the version depends on content, not on file location or layout", () => {
    const a = policy({
      default: "deny",
      rules: [{ id: "a", match: { domains: ["Example.com"] }, action: "allow" }],
    });
    const b = compilePolicy(
      {
        rules: [{ action: "allow", match: { domains: ["example.com"] }, id: "a" }],
        default: "deny",
      },
      { baseDir: "/elsewhere" },
    );
    const c = policy({
      default: "allow",
      rules: [{ id: "a", match: { domains: ["example.com"] }, action: "allow" }],
    });
    assert.equal(a.version, b.version);
    assert.notEqual(a.version, c.version);
  });
});
