// Property-based tests (fast-check) over HTTP, in process: arbitrary and mutated bodies never
// break the contract, the email-domain decision agrees with an independent reference model
// (support/model.ts), and the logs never carry the secret, an authorization value or a full
// email address. Each property checks the log lines its own calls caused, so any one of them
// can run alone (`--test-name-pattern`).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { before, describe, it } from "node:test";
import { setImmediate } from "node:timers/promises";
import fc from "fast-check";
import type { Response } from "supertest";
import { call as callService, startService, TEST_SECRET, type TestService } from "./support/app.js";
import {
  anyAddress,
  arbitraryBodyText,
  BODY_LIMIT,
  cloneJson,
  fixture,
  mutate,
  mutation,
} from "./support/arbitraries.js";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  progressiveProfile,
  selfServiceRegistration,
} from "./support/fixtures.js";
import {
  ALLOWED_DOMAINS,
  addresses,
  type FieldVerdict,
  type ModelOutcome,
  modelDomainAllowed,
  modelEntries,
  modelForText,
  modelOutcome,
  type RequestKind,
  verdictForAddress,
} from "./support/model.js";

/** Okta waits 3 s; an in-process answer must come far sooner, whatever the body. */
const MAX_ANSWER_MS = 2000;
const TEST_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// The service (one for the whole file) and what each property's calls must have logged.

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

/** What one property sent and was answered, and where its log lines start. */
interface Recording {
  readonly fromLine: number;
  /** Every authorization header value sent. */
  readonly authorizations: Set<string>;
  /** Request id of every 200 answer, with what its decision log line must say. */
  readonly answered200: Map<string, LoggedExpectation>;
}

let service: TestService;
let recording: Recording | undefined;

function logLines(): string[] {
  const raw = service.rawLogs();
  return raw === "" ? [] : raw.split("\n");
}

/**
 * A property over HTTP: the calls it makes are recorded, and once it has passed, the log lines
 * they caused are checked: no secret, authorization value or full address, and one decision
 * line per 200 answer, saying what the answer said.
 */
function property(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    const own: Recording = {
      fromLine: logLines().length,
      authorizations: new Set([TEST_SECRET]),
      answered200: new Map(),
    };
    recording = own;
    try {
      await body();
    } finally {
      recording = undefined;
    }
    await setImmediate();
    assertLogsOf(own);
  });
}

function assertLogsOf(own: Recording): void {
  const lines = logLines().slice(own.fromLine);
  const raw = lines.join("\n");
  const escaped = (value: string) => JSON.stringify(value).slice(1, -1);
  const appears = (value: string) => raw.includes(value) || raw.includes(escaped(value));

  const secretPart = TEST_SECRET.slice("Basic ".length);
  for (const secret of [TEST_SECRET, secretPart, Buffer.from(secretPart, "base64").toString()]) {
    assert.ok(!appears(secret), "the shared secret is in the logs");
  }
  const leakedAuth = [...own.authorizations].filter(appears);
  assert.deepEqual(leakedAuth, [], "authorization values in the logs");
  const leaked = [...addresses.keys()].filter(appears);
  assert.deepEqual(leaked.slice(0, 10), [], `${leaked.length} full addresses in the logs`);

  const decisionLines = lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l.msg === "registration hook decision");
  assert.equal(decisionLines.length, own.answered200.size, "one decision line per 200 answer");
  const byId = new Map(
    decisionLines.map((line) => [String((line.req as { id?: unknown } | undefined)?.id), line]),
  );
  for (const [id, expected] of own.answered200) {
    const line = byId.get(id);
    assert.ok(line, `no decision line for 200 answer ${id}`);
    assert.equal(line.decision, expected.decision, id);
    assert.equal(line.reason, expected.reason, id);
    if (expected.kind !== undefined) assert.equal(line.requestType, expected.kind, id);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "prototype polluted");
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
  /** The content type to send (default application/json). */
  readonly contentType?: string;
}

/**
 * Posts a body (checked against the spec by the in-process client), checks that the answer is
 * no 5xx and that it came within the time bound, and records it for the property's log check.
 */
async function call(body: string | Buffer, options: CallOptions = {}): Promise<Response> {
  assert.ok(recording, "call() is for properties (see property())");
  const secret = options.secret ?? TEST_SECRET;
  recording.authorizations.add(secret);
  const started = performance.now();
  const res = await callService(service, "POST", "/registrationHook", {
    headers: { "content-type": options.contentType ?? "application/json", authorization: secret },
    body,
  });
  const elapsed = performance.now() - started;
  assert.ok(res.status < 500, `answered ${res.status}: ${res.text.slice(0, 500)}`);
  assert.ok(elapsed < MAX_ANSWER_MS, `answered after ${Math.round(elapsed)} ms`);
  if (res.status === 200) {
    const id = String(res.headers["x-request-id"] ?? "");
    assert.ok(id !== "", "a 200 carries x-request-id");
    const { decision, causes } = verdictOf(res);
    recording.answered200.set(id, {
      decision: decision === "ALLOW" ? "allow" : "deny",
      reason: causes[0]?.reason,
      kind: options.kind,
    });
  }
  return res;
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

  property("answers any body text with 200, 400 or 413 on the spec, quickly", async () => {
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

  property(
    "answers any bytes under any JSON-ish content type with 200, 400, 413 or 415",
    async () => {
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
    },
  );

  property(
    "answers mutated Okta requests on the spec, and every 200 agrees with the model",
    async () => {
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
    },
  );

  property("decides registrations (email and login) as the reference model does", async () => {
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

  property(
    "decides progressive profile updates (email in userProfileUpdate) as the model does",
    async () => {
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
    },
  );

  property("refuses every wrong authorization value with 401", async () => {
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
});
