// Contract tests: the service over HTTP, in process, every response checked against the spec.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadConfig } from "../src/config/index.js";
import { createHandlers } from "../src/handlers/index.js";
import { createLogger } from "../src/logger.js";
import { createMetrics } from "../src/metrics.js";
import { ALLOW } from "../src/policy/answer.js";
import { createRuntime, RuntimeHolder } from "../src/runtime.js";
import {
  call,
  DEMO_SECRET,
  postHook,
  startService,
  TEST_SECRET,
  type TestService,
  withoutDebugContext,
} from "./support/app.js";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  earlyIdentityEngineRegistration,
  progressiveProfile,
  selfServiceRegistration,
  superseded2019Mock,
} from "./support/fixtures.js";
import { assertMatchesSpec, exercisedOperations, specOperations } from "./support/spec.js";

function denyCauses(
  body: unknown,
): { reason?: string; location?: string; errorSummary?: string }[] {
  const response = body as {
    commands: { type: string; value: { registration?: string } }[];
    error: { errorCauses: { reason?: string; location?: string; errorSummary?: string }[] };
  };
  assert.deepEqual(response.commands, [
    { type: "com.okta.action.update", value: { registration: "DENY" } },
  ]);
  return response.error.errorCauses;
}

let service: TestService;
before(async () => {
  service = await startService({
    ALLOWED_DOMAINS: "example.com, *.corp.example.org, bücher.example",
  });
});

describe("POST /registrationHook (registrationHook): decisions", () => {
  it("allows Okta's self-service registration sample from an allowed domain", async () => {
    const res = await postHook(service, selfServiceRegistration());
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^application\/json/);
    assert.deepEqual(withoutDebugContext(res.body), ALLOW);
  });

  it("allows Okta's progressive profile sample, which changes no address", async () => {
    const res = await postHook(service, progressiveProfile());
    assert.equal(res.status, 200);
    assert.deepEqual(withoutDebugContext(res.body), ALLOW);
  });

  it("allows Okta's captured Classic Engine registration (no requestType, action null)", async () => {
    const res = await postHook(service, classicRegistration());
    assert.deepEqual(withoutDebugContext(res.body), ALLOW);
  });

  it("allows an early Identity Engine registration sent without requestType", async () => {
    const res = await postHook(service, earlyIdentityEngineRegistration());
    assert.deepEqual(withoutDebugContext(res.body), ALLOW);
  });

  it("reads a body with only userProfileUpdate as progressive profile and checks that address", async () => {
    const res = await postHook(
      service,
      earlyIdentityEngineProgressiveProfile({ email: "jo@evil.test" }),
    );
    const [cause] = denyCauses(res.body);
    assert.equal(cause?.reason, "INVALID_EMAIL_DOMAIN");
    assert.equal(cause?.location, "data.userProfile.email");
    assert.ok(!JSON.stringify(res.body).includes("com.okta.user.profile.update"));
  });

  it("denies a registration from another domain, with the message beside the email field", async () => {
    const res = await postHook(
      service,
      selfServiceRegistration({ email: "jo@gmail.com", login: "jo@gmail.com" }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(withoutDebugContext(res.body), {
      commands: [{ type: "com.okta.action.update", value: { registration: "DENY" } }],
      error: {
        errorSummary: "Registration denied: the email address was not accepted.",
        errorCauses: [
          {
            errorSummary: "Registration is not open to email addresses at this domain.",
            reason: "INVALID_EMAIL_DOMAIN",
            locationType: "body",
            location: "data.userProfile.email",
            domain: "end-user",
          },
          {
            errorSummary: "Registration is not open to email addresses at this domain.",
            reason: "INVALID_EMAIL_DOMAIN",
            locationType: "body",
            location: "data.userProfile.login",
            domain: "end-user",
          },
        ],
      },
    });
  });

  it("denies a Classic registration whose login is in another domain though the email is allowed", async () => {
    const res = await postHook(service, classicRegistration({ login: "john@elsewhere.test" }));
    const causes = denyCauses(res.body);
    assert.deepEqual(
      causes.map((c) => [c.reason, c.location]),
      [["INVALID_EMAIL_DOMAIN", "data.userProfile.login"]],
    );
  });

  it("denies a registration without any address (MISSING_EMAIL)", async () => {
    const res = await postHook(service, selfServiceRegistration({ email: null, login: "rjones" }));
    assert.equal(denyCauses(res.body)[0]?.reason, "MISSING_EMAIL");
  });

  it("denies a malformed address (INVALID_EMAIL)", async () => {
    const res = await postHook(service, selfServiceRegistration({ email: "jo@@example.com" }));
    assert.equal(denyCauses(res.body)[0]?.reason, "INVALID_EMAIL");
  });

  it("denies a progressive profile update to another domain and never sends a profile update", async () => {
    const res = await postHook(service, progressiveProfile({ email: "rosario@elsewhere.test" }));
    const [cause] = denyCauses(res.body);
    assert.equal(cause?.reason, "INVALID_EMAIL_DOMAIN");
    assert.ok(!JSON.stringify(res.body).includes("com.okta.user.profile.update"));
  });

  it("allows subdomains of a wildcard entry and internationalised domains in any form", async () => {
    for (const email of [
      "a@eng.corp.example.org",
      "a@x.y.corp.example.org",
      "a@bücher.example",
      "a@BÜCHER.example",
      "a@xn--bcher-kva.example",
    ]) {
      const res = await postHook(service, selfServiceRegistration({ email, login: email }));
      assert.deepEqual(withoutDebugContext(res.body), ALLOW, email);
    }
  });

  const hostile: [string, string][] = [
    ["jo@exаmple.com", "INVALID_EMAIL_DOMAIN"], // Cyrillic а
    ["jo@evilexample.com", "INVALID_EMAIL_DOMAIN"],
    ["jo@example.com.evil.test", "INVALID_EMAIL_DOMAIN"],
    ["jo@sub.example.com", "INVALID_EMAIL_DOMAIN"],
    ["jo@corp.example.org", "INVALID_EMAIL_DOMAIN"],
    ["jo@example.com@evil.test", "INVALID_EMAIL"],
    ["jo@evil.test@example.com", "INVALID_EMAIL"],
    ['"jo@evil.test"@example.com', "INVALID_EMAIL"],
    ["Jo <jo@example.com>", "INVALID_EMAIL"],
    ["jo@example.com, eve@evil.test", "INVALID_EMAIL"],
    ["jo@example.com\nbcc@evil.test", "INVALID_EMAIL"],
    ["jo@example.com.", "INVALID_EMAIL"],
    ["jo@[127.0.0.1]", "INVALID_EMAIL"],
    ["jo@ex\u00adample.com", "INVALID_EMAIL"],
  ];
  for (const [email, reason] of hostile) {
    it(`denies the hostile address ${JSON.stringify(email)} (${reason})`, async () => {
      const res = await postHook(service, selfServiceRegistration({ email, login: "jo" }));
      assert.equal(denyCauses(res.body)[0]?.reason, reason);
    });
  }
});

describe("POST /registrationHook (registrationHook): authentication", () => {
  it("refuses a call without the authentication header (401)", async () => {
    const res = await postHook(service, selfServiceRegistration(), { secret: null });
    assert.equal(res.status, 401);
    assert.equal(res.body.type, "urn:problem:registration-hook:unauthorized");
  });

  it("refuses a wrong secret, and the demo secret once a real one is set", async () => {
    for (const secret of [
      "Basic d3Jvbmc6d3Jvbmc=",
      DEMO_SECRET,
      `${TEST_SECRET}x`,
      TEST_SECRET.slice(0, -1),
      "",
    ]) {
      const res = await postHook(service, selfServiceRegistration(), { secret });
      assert.equal(res.status, 401, secret);
    }
  });

  it("checks authentication before it reads the body", async () => {
    const res = await postHook(service, "{not json", { secret: "wrong" });
    assert.equal(res.status, 401);
  });

  it("accepts the demo secret when no secret is configured (outside production)", async () => {
    const demo = await startService({ HOOK_AUTH_SECRET: "" });
    const res = await postHook(demo, selfServiceRegistration(), { secret: DEMO_SECRET });
    assert.equal(res.status, 200);
  });

  it("reads the secret from the configured header and from no other", async () => {
    const custom = await startService({ HOOK_AUTH_HEADER: "X-Okta-Hook-Secret" });
    const ok = await postHook(custom, selfServiceRegistration(), { header: "x-okta-hook-secret" });
    assert.equal(ok.status, 200);
    const wrongHeader = await postHook(custom, selfServiceRegistration());
    assert.equal(wrongHeader.status, 401);
  });
});

describe("POST /registrationHook (registrationHook): bad HTTP", () => {
  it("answers malformed JSON with 400 malformed-json", async () => {
    const res = await postHook(service, '{"eventType": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.type, "urn:problem:registration-hook:malformed-json");
  });

  it("answers a body that is not an object with 400 naming the body", async () => {
    for (const body of ["[]", '"text"', "null", "42"]) {
      const res = await postHook(service, body);
      assert.equal(res.status, 400, body);
      assert.equal(res.body.type, "urn:problem:registration-hook:invalid-request");
      assert.ok(res.body.errors.length > 0);
    }
  });

  it("answers the superseded 2019 mock (data.user.profile) with 400 naming the missing profile", async () => {
    const res = await postHook(service, superseded2019Mock());
    assert.equal(res.status, 400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    assert.ok(fields.includes("data.userProfile"), fields.join());
    assert.ok(fields.includes("data.userProfileUpdate"), fields.join());
  });

  it("answers a wrong eventType and a non-string email with 400 naming the field", async () => {
    const wrongType = await postHook(service, {
      ...selfServiceRegistration(),
      eventType: "com.okta.import.transform",
    });
    assert.equal(wrongType.status, 400);
    assert.ok(wrongType.body.detail.includes("eventType"));
    const numeric = await postHook(
      service,
      selfServiceRegistration({ email: 42 as unknown as string }),
    );
    assert.equal(numeric.status, 400);
    assert.ok(numeric.body.detail.includes("data.userProfile.email"));
  });

  it("answers an empty body with 400", async () => {
    const res = await call(service, "POST", "/registrationHook", {
      headers: { authorization: TEST_SECRET, "content-type": "application/json" },
    });
    assert.equal(res.status, 400);
  });

  it("answers a body that is not JSON by content type with 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const res = await call(service, "POST", "/registrationHook", {
        headers: { authorization: TEST_SECRET, "content-type": type },
        body: JSON.stringify(selfServiceRegistration()),
      });
      assert.equal(res.status, 415, type);
    }
  });

  it("answers a body over 64 KiB with 413", async () => {
    const big = selfServiceRegistration({ padding: "x".repeat(70 * 1024) });
    const res = await postHook(service, big);
    assert.equal(res.status, 413);
  });

  it("accepts a body just under 64 KiB", async () => {
    const body = selfServiceRegistration({ padding: "" });
    const room = 64 * 1024 - JSON.stringify(body).length - 10;
    const res = await postHook(service, selfServiceRegistration({ padding: "x".repeat(room) }));
    assert.equal(res.status, 200);
  });

  it("answers an unknown path with 404 and another method with 405", async () => {
    const notFound = await call(service, "POST", "/registration-hook", { body: "{}" });
    assert.equal(notFound.status, 404);
    for (const method of ["GET", "PUT", "DELETE", "PATCH"] as const) {
      const res = await call(service, method, "/registrationHook");
      assert.equal(res.status, 405, method);
    }
  });

  it("keeps answering correctly after a run of bad requests", async () => {
    await Promise.all([
      postHook(service, "{"),
      postHook(service, "[]"),
      postHook(service, selfServiceRegistration(), { secret: "nope" }),
      postHook(service, selfServiceRegistration({ padding: "x".repeat(80 * 1024) })),
    ]);
    const res = await postHook(service, selfServiceRegistration());
    assert.deepEqual(withoutDebugContext(res.body), ALLOW);
  });

  it("answers an internal failure with 500 and no internal detail", async () => {
    const config = loadConfig({ HOOK_AUTH_SECRET: TEST_SECRET });
    // A policy whose rules cannot be read: the evaluation throws mid-call.
    const policy = Object.create(config.policy, {
      rules: {
        get() {
          throw new Error("policy store exploded at /srv/secret/path");
        },
      },
    }) as typeof config.policy;
    const broken = { ...config, policy };
    const { createApp } = await import("../src/app.js");
    const supertest = (await import("supertest")).default;
    const app = await createApp(broken, { logger: createLogger("silent") });
    const res = await supertest(app)
      .post("/registrationHook")
      .set("authorization", TEST_SECRET)
      .set("content-type", "application/json")
      .send(JSON.stringify(selfServiceRegistration()));
    assertMatchesSpec(res);
    assert.equal(res.status, 500);
    assert.equal(res.body.type, "urn:problem:registration-hook:internal-error");
    assert.ok(!res.text.includes("exploded"));
    assert.ok(!res.text.includes("/srv"));
    assert.ok(!res.text.includes("at "));
  });
});

describe("GET /healthz (getHealth), /readyz (getReadiness), /metrics (getMetrics)", () => {
  it("reports alive without authentication", async () => {
    const res = await call(service, "GET", "/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: "ok" });
  });

  it("reports ready with a shared secret, where no keys are needed", async () => {
    const res = await call(service, "GET", "/readyz");
    assert.deepEqual(res.body, {
      status: "ready",
      checks: { config: "ok", keys: "not-needed", shutdown: "ok" },
    });
  });

  it("reports not ready once draining, while hook calls still get answers", async () => {
    const draining = await startService();
    draining.app.drain();
    const ready = await call(draining, "GET", "/readyz");
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.shutdown, "draining");
    const hook = await postHook(draining, selfServiceRegistration());
    assert.equal(hook.status, 200);
  });

  it("counts decisions by outcome and reason in Prometheus format", async () => {
    const counted = await startService();
    await postHook(counted, selfServiceRegistration());
    await postHook(counted, selfServiceRegistration({ email: "jo@gmail.com" }));
    await postHook(counted, selfServiceRegistration(), { secret: "Basic nope-nope-nope-nope" });
    await postHook(counted, "{");
    const res = await call(counted, "GET", "/metrics");
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /registration_hook_decisions_total\{decision="allow",reason="",request_type="self.service.registration"\} 1/,
    );
    assert.match(
      res.text,
      /registration_hook_decisions_total\{decision="deny",reason="INVALID_EMAIL_DOMAIN",request_type="self.service.registration"\} 1/,
    );
    assert.match(res.text, /registration_hook_auth_failures_total\{reason="wrong-secret"\} 1/);
    assert.match(res.text, /registration_hook_validation_failures_total\{kind="malformedJson"\} 1/);
    assert.match(
      res.text,
      /registration_hook_request_duration_seconds_bucket\{le="0.1",operation="registrationHook",status="200"\} 2/,
    );
    assert.ok(!res.text.includes("gmail"), "metrics must not carry domains or addresses");
  });
});

describe("logs", () => {
  it("writes one decision line per hook call with eventId, type, decision, reason and domain only", async () => {
    const fresh = await startService();
    await postHook(fresh, selfServiceRegistration({ email: "rosario.jones@gmail.com" }));
    const decisions = fresh.logs.filter((l) => l.msg === "registration hook decision");
    assert.equal(decisions.length, 1);
    const [line] = decisions;
    assert.equal(line?.eventId, "04Dmt8BcT_aEgM");
    assert.equal(line?.requestType, "self.service.registration");
    assert.equal(line?.decision, "deny");
    assert.equal(line?.reason, "INVALID_EMAIL_DOMAIN");
    assert.deepEqual(line?.emailDomains, ["gmail.com"]);
  });

  it("never logs a full address, the secret or the authentication header", async () => {
    const fresh = await startService();
    await postHook(fresh, selfServiceRegistration({ email: "rosario.jones@gmail.com" }));
    await postHook(fresh, selfServiceRegistration(), { secret: "Basic wrong-guess-secret-value" });
    await postHook(fresh, '{"email":"leak@example.com"');
    const text = fresh.rawLogs();
    for (const secret of [
      "rosario.jones@",
      "leak@example.com",
      TEST_SECRET,
      "wrong-guess-secret-value",
    ]) {
      assert.ok(!text.includes(secret), `logs contain ${secret}`);
    }
  });
});

describe("spec coverage", () => {
  it("has a handler for every operation in the spec, and no handler without one", async () => {
    const runtime = await createRuntime(loadConfig({}), createLogger("silent"));
    const logger = createLogger("silent");
    const handlers = createHandlers(new RuntimeHolder(runtime), createMetrics(), logger);
    assert.deepEqual(Object.keys(handlers).sort(), [...specOperations.keys()].sort());
  });

  it("answers every operation in the spec with an answer the spec documents", async () => {
    const fresh = await startService();
    const seen = new Set<string>();
    for (const [id, { method, path }] of specOperations) {
      const res = await call(fresh, method.toUpperCase() as "GET" | "POST", path, {
        headers: { authorization: TEST_SECRET, "content-type": "application/json" },
        ...(method === "post" ? { body: JSON.stringify(selfServiceRegistration()) } : {}),
      });
      assert.equal(res.status, 200, id);
      seen.add(id);
    }
    assert.ok(seen.has("registrationHook"));
    assert.ok([...seen].every((id) => exercisedOperations.has(id)));
  });
});
