// The validators precompiled to code (generated/validators.cjs, by `npm run generate`) must judge
// every input exactly as the ones compiled at run time do: openapi-backend's request validators,
// built from the spec with the service's options, and the policy document's schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Ajv } from "ajv";
import fc from "fast-check";
import { OpenAPIBackend } from "openapi-backend";
import { parse as parseYaml } from "yaml";
import { requestValidators } from "../generated/validators.cjs";
import { VALIDATION } from "../src/http/api.js";
import { precompiledValidator, requestValidator } from "../src/http/validation.js";
import { POLICY_AJV_OPTIONS, policySchema } from "../src/policy/engine/schema.js";
import { loadSpec } from "../src/spec.js";
import { cloneJson, corruptedFixture, fixture, setOwn } from "./support/arbitraries.js";

const backend = new OpenAPIBackend({ definition: loadSpec(), ...VALIDATION, quick: true });
await backend.init();
const atRunTime = requestValidator(
  backend.validator.getRequestValidatorsForOperation("registrationHook"),
);
const precompiled = precompiledValidator("registrationHook");
const HEADERS = { "content-type": "application/json", authorization: "x" };

/** A fixture with one value somewhere in it replaced or added. */
const mutatedFixture = fc
  .record({
    fixture,
    where: fc.constantFrom("top", "data", "profile"),
    key: fc.constantFrom("eventType", "requestType", "data", "email", "login", "userProfile", "x"),
    value: fc.jsonValue({ maxDepth: 3 }),
  })
  .map(({ fixture: { body }, where, key, value }) => {
    const copy = cloneJson(body) as Record<string, unknown>;
    const data = copy.data as Record<string, unknown> | undefined;
    const profile = (data?.userProfile ?? data?.userProfileUpdate) as
      | Record<string, unknown>
      | undefined;
    const target = where === "top" ? copy : where === "data" ? data : profile;
    if (target !== undefined) setOwn(target as never, key, value as never);
    return copy as unknown;
  });

const anyBody = fc.oneof(
  mutatedFixture,
  fixture.map((f) => f.body),
  corruptedFixture.map((text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }),
  fc.jsonValue({ maxDepth: 4 }),
);

describe("precompiled validators", () => {
  it("exist for exactly the spec's operations", () => {
    const operations = backend.router.getOperations().map((op) => op.operationId);
    assert.deepEqual(Object.keys(requestValidators).sort(), operations.sort());
  });

  it("judge every hook request as openapi-backend's validators compiled at run time do", () => {
    let rejected = 0;
    fc.assert(
      fc.property(anyBody, fc.constantFrom("application/json", "text/plain", ""), (body, type) => {
        const headers = { ...HEADERS, "content-type": type };
        const expected = atRunTime(headers, body);
        if (expected !== undefined) rejected += 1;
        assert.deepEqual(precompiled(headers, body), expected);
      }),
      { numRuns: 2_000 },
    );
    // The comparison covered both outcomes.
    assert.ok(rejected > 100 && rejected < 1_900, `${rejected} of 2000 rejected`);
  });

  it("judge policy documents as the schema compiled at run time does", async () => {
    const { validatePolicyDocument } = await import("../generated/validators.cjs");
    const fresh = new Ajv(POLICY_AJV_OPTIONS).compile(policySchema);
    const example = parseYaml(
      readFileSync(new URL("../policy/example.yaml", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    const documents = fc.oneof(
      fc.constant(example),
      fc
        .record({
          key: fc.constantFrom("default", "rules", "mode", "lists", "messages", "x"),
          value: fc.jsonValue({ maxDepth: 3 }),
        })
        .map(({ key, value }) => ({ ...example, [key]: value })),
      fc.jsonValue({ maxDepth: 3 }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(documents, (document) => {
        const ok = fresh(document);
        if (ok) accepted += 1;
        assert.equal(validatePolicyDocument(document), ok);
        assert.deepEqual(validatePolicyDocument.errors, fresh.errors);
      }),
      { numRuns: 1_000 },
    );
    assert.ok(accepted > 0, "some documents were valid");
  });
});
