// Unit tests for the email-domain decision and the Okta response built from it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DENY_MESSAGES, responseFor, serialiseResponse } from "../src/policy/answer.js";
import { type Decision, decide, type Refusal, requestKind } from "../src/policy/decide.js";
import { compileDomainPolicy } from "../src/policy/domains.js";
import type { RegistrationHookRequest, Schemas, SubmittedProfile } from "../src/spec.js";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  earlyIdentityEngineRegistration,
  progressiveProfile,
  selfServiceRegistration,
} from "./support/fixtures.js";

type RegistrationData = Schemas["RegistrationData"];

const policy = compileDomainPolicy(["example.com", "*.corp.example.org"]);

/** The early Identity Engine builders return untyped records; they are valid requests. */
function asRequest(body: Record<string, unknown>): RegistrationHookRequest {
  return body as RegistrationHookRequest;
}

/** A Classic-style body (no requestType) with exactly the given `data`. */
function untypedRequest(data: RegistrationData): RegistrationHookRequest {
  return { ...classicRegistration(), data };
}

/** A progressive profile body without requestType and without `data.userProfile`. */
function untypedUpdate(update: SubmittedProfile): RegistrationHookRequest {
  const { requestType: _omitted, ...rest } = progressiveProfile(update);
  return rest;
}

function refusalsOf(decision: Decision): readonly Refusal[] {
  if (decision.outcome !== "deny") assert.fail(`expected a deny, got ${JSON.stringify(decision)}`);
  return decision.refusals;
}

function assertAllowed(decision: Decision): void {
  assert.equal(decision.outcome, "allow", `expected an allow, got ${JSON.stringify(decision)}`);
}

describe("decide: the Okta fixtures with allowed addresses", () => {
  it("allows an Identity Engine self-service registration", () => {
    const decision = decide(selfServiceRegistration(), policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com"],
    });
  });

  it("allows an Identity Engine progressive profile update", () => {
    const decision = decide(progressiveProfile({ email: "rosario@example.com" }), policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "progressive.profile",
      domains: ["example.com"],
    });
  });

  it("allows a Classic Engine registration", () => {
    const decision = decide(classicRegistration(), policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com"],
    });
  });

  it("allows an early Identity Engine registration without requestType", () => {
    const request = asRequest(earlyIdentityEngineRegistration());
    assert.equal("requestType" in request, false);

    const decision = decide(request, policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com"],
    });
  });

  it("allows an early Identity Engine progressive profile update without requestType", () => {
    const request = asRequest(earlyIdentityEngineProgressiveProfile({ email: "jo@example.com" }));
    assert.equal("requestType" in request, false);

    const decision = decide(request, policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "progressive.profile",
      domains: ["example.com"],
    });
  });
});

describe("decide: request kind", () => {
  it("reads a body without requestType and with only userProfileUpdate as progressive profiling", () => {
    const request = untypedUpdate({ email: "jo@example.com" });

    assert.equal("userProfile" in request.data, false);
    assert.equal(requestKind(request), "progressive.profile");
    assert.equal(decide(request, policy).kind, "progressive.profile");
  });

  it("reads a body without requestType and with userProfile as a registration", () => {
    const request = untypedRequest({ userProfile: { email: "jo@example.com" } });

    assert.equal(requestKind(request), "self.service.registration");
    assert.equal(decide(request, policy).kind, "self.service.registration");
  });

  it("reads a body without requestType carrying both userProfile and userProfileUpdate as a registration", () => {
    const request = untypedRequest({
      userProfile: { email: "jo@example.com" },
      userProfileUpdate: { email: "jo@example.com" },
    });

    assert.equal(requestKind(request), "self.service.registration");
    assert.equal(decide(request, policy).kind, "self.service.registration");
  });

  it("checks userProfile, not userProfileUpdate, when both are present without requestType", () => {
    const request = untypedRequest({
      userProfile: { email: "jo@evil.example.net" },
      userProfileUpdate: { email: "jo@example.com" },
    });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "evil.example.net" },
    ]);
  });

  it("trusts an explicit requestType", () => {
    assert.equal(requestKind(selfServiceRegistration()), "self.service.registration");
    assert.equal(requestKind(progressiveProfile()), "progressive.profile");
  });
});

describe("decide: self-service registration, email and login", () => {
  it("checks the login as well as the email when the login holds an @", () => {
    const request = selfServiceRegistration({
      email: "jo@example.com",
      login: "jo@a.corp.example.org",
    });

    const decision = decide(request, policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com", "a.corp.example.org"],
    });
  });

  it("records each allowed domain once", () => {
    const request = selfServiceRegistration({ email: "jo@example.com", login: "joe@example.com" });

    const decision = decide(request, policy);

    assert.equal(decision.outcome, "allow");
    assert.deepEqual(decision.outcome === "allow" ? decision.domains : [], ["example.com"]);
  });

  it("does not check a login that is a plain user name", () => {
    const request = selfServiceRegistration({ email: "jo@example.com", login: "rosario.jones" });

    const decision = decide(request, policy);

    assert.deepEqual(decision, {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com"],
    });
  });

  it("denies a login address in a disallowed domain, on the login field", () => {
    const request = selfServiceRegistration({
      email: "jo@example.com",
      login: "jo@evil.example.net",
    });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "login", domain: "evil.example.net" },
    ]);
  });

  it("gives two refusals, email first, when both email and login fail", () => {
    const request = selfServiceRegistration({
      login: "jo@evil.example.net",
      email: "jo@other.example.net",
    });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "other.example.net" },
      { reason: "INVALID_EMAIL_DOMAIN", field: "login", domain: "evil.example.net" },
    ]);
  });

  it("denies an invalid login address with INVALID_EMAIL on the login field", () => {
    const request = selfServiceRegistration({ email: "jo@example.com", login: "jo@@example.com" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL", field: "login" },
    ]);
  });
});

describe("decide: missing email", () => {
  const absentEmails: readonly (readonly [string, SubmittedProfile])[] = [
    ["missing", {}],
    ["null", { email: null }],
    ["empty", { email: "" }],
  ];

  for (const [name, emailPart] of absentEmails) {
    it(`denies with MISSING_EMAIL on the email field when the email is ${name} and the login is a user name`, () => {
      const request = untypedRequest({ userProfile: { login: "rosario.jones", ...emailPart } });

      assert.deepEqual(refusalsOf(decide(request, policy)), [
        { reason: "MISSING_EMAIL", field: "email" },
      ]);
    });
  }

  it("denies with MISSING_EMAIL when the registration profile has neither email nor login", () => {
    const request = untypedRequest({ userProfile: { firstName: "Jo" } });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "MISSING_EMAIL", field: "email" },
    ]);
  });

  it("allows a registration without email when the login is an allowed address", () => {
    const request = untypedRequest({ userProfile: { login: "jo@example.com" } });

    assert.deepEqual(decide(request, policy), {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["example.com"],
    });
  });

  it("allows an Identity Engine registration whose email is null when the login is an allowed address", () => {
    const request = selfServiceRegistration({ email: null, login: "jo@a.corp.example.org" });

    assertAllowed(decide(request, policy));
  });
});

describe("decide: invalid and disallowed addresses", () => {
  it("denies an invalid address with INVALID_EMAIL and records no domain", () => {
    const request = selfServiceRegistration({ email: "jo@example..com", login: "rosario" });

    const refusals = refusalsOf(decide(request, policy));

    assert.deepEqual(refusals, [{ reason: "INVALID_EMAIL", field: "email" }]);
    assert.equal(refusals[0] !== undefined && "domain" in refusals[0], false);
  });

  it("denies an address with no @ as INVALID_EMAIL", () => {
    const request = selfServiceRegistration({ email: "rosario.jones", login: "rosario" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL", field: "email" },
    ]);
  });

  it("denies a whitespace-only email as INVALID_EMAIL, not MISSING_EMAIL", () => {
    const request = selfServiceRegistration({ email: " ", login: "rosario" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL", field: "email" },
    ]);
  });

  it("denies a non-string email value as INVALID_EMAIL", () => {
    const request = selfServiceRegistration({ email: 42 as unknown as string, login: "rosario" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL", field: "email" },
    ]);
  });

  it("denies a disallowed domain with INVALID_EMAIL_DOMAIN and records it in lower-case ASCII", () => {
    const request = selfServiceRegistration({ email: "Jo@Evil.Example.NET", login: "rosario" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "evil.example.net" },
    ]);
  });

  it("records a disallowed internationalized domain in its punycode form", () => {
    const request = selfServiceRegistration({ email: "jo@bücher.example", login: "rosario" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "xn--bcher-kva.example" },
    ]);
  });

  it("allows an internationalized domain in any case when the policy lists it", () => {
    const idnPolicy = compileDomainPolicy(["bücher.example"]);
    const request = selfServiceRegistration({ email: "jo@BÜCHER.example", login: "jo" });

    assert.deepEqual(decide(request, idnPolicy), {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["xn--bcher-kva.example"],
    });
  });

  it("denies a look-alike of an allowed domain written with a Cyrillic letter", () => {
    const request = selfServiceRegistration({ email: "jo@ex\u0430mple.com", login: "jo" });

    const refusals = refusalsOf(decide(request, policy));

    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]?.reason, "INVALID_EMAIL_DOMAIN");
    assert.equal(refusals[0]?.field, "email");
    assert.ok(refusals[0]?.domain?.startsWith("xn--"), JSON.stringify(refusals[0]));
  });

  it("allows a subdomain of a wildcard entry", () => {
    const request = selfServiceRegistration({ email: "jo@eu.corp.example.org", login: "jo" });

    assert.deepEqual(decide(request, policy), {
      outcome: "allow",
      kind: "self.service.registration",
      domains: ["eu.corp.example.org"],
    });
  });

  it("denies the apex of a wildcard entry", () => {
    const request = selfServiceRegistration({ email: "jo@corp.example.org", login: "jo" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "corp.example.org" },
    ]);
  });

  it("denies a subdomain of an exact entry", () => {
    const request = selfServiceRegistration({ email: "jo@mail.example.com", login: "jo" });

    assert.deepEqual(refusalsOf(decide(request, policy)), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "mail.example.com" },
    ]);
  });
});

describe("decide: progressive profile", () => {
  it("checks only userProfileUpdate, ignoring the current login in context", () => {
    const request = progressiveProfile({ email: "jo@example.com" });
    const user = request.data.context?.user;
    assert.ok(user !== undefined && user !== null, "fixture has a context user");
    const withBadLogin = {
      ...request,
      data: {
        ...request.data,
        context: {
          ...request.data.context,
          user: {
            ...user,
            profile: { login: "jo@evil.example.net", email: "jo@evil.example.net" },
          },
        },
      },
    };

    assert.deepEqual(decide(withBadLogin, policy), {
      outcome: "allow",
      kind: "progressive.profile",
      domains: ["example.com"],
    });
  });

  it("allows an update that changes no address", () => {
    const decision = decide(progressiveProfile({ employeeNumber: "1234" }), policy);

    assert.deepEqual(decision, { outcome: "allow", kind: "progressive.profile", domains: [] });
  });

  it("allows an empty update", () => {
    assertAllowed(decide(progressiveProfile({}), policy));
  });

  it("denies an update with an email in a disallowed domain, on the email field", () => {
    const decision = decide(progressiveProfile({ email: "jo@evil.example.net" }), policy);

    assert.equal(decision.kind, "progressive.profile");
    assert.deepEqual(refusalsOf(decision), [
      { reason: "INVALID_EMAIL_DOMAIN", field: "email", domain: "evil.example.net" },
    ]);
  });

  it("denies an update with an invalid email", () => {
    const decision = decide(progressiveProfile({ email: "not an address" }), policy);

    assert.deepEqual(refusalsOf(decision), [{ reason: "INVALID_EMAIL", field: "email" }]);
  });

  it("does not ask for an email when the update carries only a plain login", () => {
    assertAllowed(decide(progressiveProfile({ login: "rosario" }), policy));
  });
});

describe("responseFor and serialiseResponse", () => {
  const allowOkta = {
    commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
  };

  it("answers an allow with exactly one ALLOW command", () => {
    const response = responseFor(decide(selfServiceRegistration(), policy));

    assert.deepEqual(response, allowOkta);
  });

  it("answers a deny with a DENY command and an end-user error cause for the email", () => {
    const decision = decide(selfServiceRegistration({ email: "jo@evil.example.net" }), policy);

    const response = responseFor(decision);

    assert.deepEqual(response.commands, [
      { type: "com.okta.action.update", value: { registration: "DENY" } },
    ]);
    const causes = response.error?.errorCauses;
    assert.ok(causes !== undefined, "the error has causes");
    assert.deepEqual(causes[0], {
      errorSummary: DENY_MESSAGES.INVALID_EMAIL_DOMAIN,
      reason: "INVALID_EMAIL_DOMAIN",
      locationType: "body",
      location: "data.userProfile.email",
      domain: "end-user",
    });
    assert.equal(typeof response.error?.errorSummary, "string");
    assert.ok((causes[0]?.errorSummary ?? "").length > 0);
  });

  it("points a login refusal at data.userProfile.login", () => {
    const decision = decide(
      selfServiceRegistration({ email: "jo@example.com", login: "jo@evil.example.net" }),
      policy,
    );

    const causes = responseFor(decision).error?.errorCauses ?? [];

    assert.equal(causes.length, 1);
    assert.equal(causes[0]?.location, "data.userProfile.login");
    assert.equal(causes[0]?.reason, "INVALID_EMAIL_DOMAIN");
    assert.equal(causes[0]?.domain, "end-user");
    assert.equal(causes[0]?.locationType, "body");
  });

  it("gives one cause per refusal, in refusal order", () => {
    const decision = decide(
      selfServiceRegistration({ email: "jo@@example.com", login: "jo@evil.example.net" }),
      policy,
    );

    const causes = responseFor(decision).error?.errorCauses ?? [];

    assert.deepEqual(
      causes.map((c) => [c.reason, c.location]),
      [
        ["INVALID_EMAIL", "data.userProfile.email"],
        ["INVALID_EMAIL_DOMAIN", "data.userProfile.login"],
      ],
    );
  });

  it("uses the MISSING_EMAIL message for a registration without an address", () => {
    const decision = decide(untypedRequest({ userProfile: { login: "rosario" } }), policy);

    const cause = responseFor(decision).error?.errorCauses?.[0];

    assert.equal(cause?.reason, "MISSING_EMAIL");
    assert.equal(cause?.errorSummary, DENY_MESSAGES.MISSING_EMAIL);
    assert.equal(cause?.location, "data.userProfile.email");
  });

  it("never sends a profile update command in a progressive profile answer", () => {
    for (const update of [
      { email: "jo@example.com" },
      { email: "jo@evil.example.net" },
      { email: "not an address" },
      { employeeNumber: "1234" },
    ]) {
      const decision = decide(progressiveProfile(update), policy);

      const response = responseFor(decision);

      assert.equal(decision.kind, "progressive.profile");
      const types = (response.commands ?? []).map((command) => command.type);
      assert.equal(types.includes("com.okta.user.profile.update"), false, JSON.stringify(update));
      assert.equal(serialiseResponse(decision).includes("com.okta.user.profile.update"), false);
    }
  });

  it("serialises exactly what responseFor returns, for allows and denies", () => {
    const decisions = [
      decide(selfServiceRegistration(), policy),
      decide(progressiveProfile(), policy),
      decide(selfServiceRegistration({ email: "jo@evil.example.net" }), policy),
      decide(selfServiceRegistration({ email: "x@@y", login: "jo@evil.example.net" }), policy),
      decide(untypedRequest({ userProfile: {} }), policy),
    ];

    for (const decision of decisions) {
      assert.equal(serialiseResponse(decision), JSON.stringify(responseFor(decision)));
    }
  });

  it("serialises an allow as the exact ALLOW body", () => {
    const body = serialiseResponse(decide(classicRegistration(), policy));

    assert.deepEqual(JSON.parse(body), allowOkta);
  });

  it("never puts the address in the decision or the deny body", () => {
    const local = "zqxsecretlocal";
    const cases = [
      selfServiceRegistration({ email: `${local}@evil.example.net`, login: "rosario" }),
      selfServiceRegistration({ email: "jo@example.com", login: `${local}@evil.example.net` }),
      selfServiceRegistration({ email: `${local}@@example.com`, login: "rosario" }),
      selfServiceRegistration({ email: `${local}@corp.example.org`, login: `${local}@x.example` }),
      progressiveProfile({ email: `${local}@evil.example.net` }),
    ];

    for (const request of cases) {
      const decision = decide(request, policy);

      assert.equal(decision.outcome, "deny");
      assert.equal(JSON.stringify(decision).includes(local), false, JSON.stringify(decision));
      const body = serialiseResponse(decision);
      assert.equal(body.includes(local), false, body);
      assert.equal(body.includes("@"), false, body);
    }
  });
});
