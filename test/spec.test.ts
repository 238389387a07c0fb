// The contract itself: Okta's payloads validate, misspellings do not, and the code's error registry matches the spec.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROBLEMS } from "../src/http/problems.js";
import {
  classicRegistration,
  earlyIdentityEngineProgressiveProfile,
  earlyIdentityEngineRegistration,
  progressiveProfile,
  selfServiceRegistration,
  superseded2019Mock,
} from "./support/fixtures.js";
import { misspelledResponses, publishedResponses } from "./support/samples.js";
import { resolveRef, spec, specOperations, validateSchema } from "./support/spec.js";

const validRequest = (body: unknown) => validateSchema("RegistrationHookRequest", body);
const validResponse = (body: unknown) => validateSchema("RegistrationHookResponse", body);

describe("request schema", () => {
  const variants: [string, unknown][] = [
    ["Identity Engine self-service registration", selfServiceRegistration()],
    ["Identity Engine progressive profile", progressiveProfile()],
    ["Classic Engine registration", classicRegistration()],
    ["early Identity Engine registration without requestType", earlyIdentityEngineRegistration()],
    [
      "early progressive profile without requestType",
      earlyIdentityEngineProgressiveProfile({ a: 1 }),
    ],
  ];
  for (const [name, body] of variants) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(validRequest(body), []);
    });
  }

  it("rejects the superseded 2019 mock that carries data.user.profile", () => {
    assert.notDeepEqual(validRequest(superseded2019Mock()), []);
  });

  it("rejects a body with neither userProfile nor userProfileUpdate", () => {
    const body = selfServiceRegistration() as { data: Record<string, unknown> };
    delete body.data.userProfile;
    assert.notDeepEqual(validRequest(body), []);
  });

  it("accepts properties Okta may add at any level", () => {
    const body = selfServiceRegistration({ costCenter: "42", nickName: null });
    const extended = {
      ...body,
      newTopLevel: { any: true },
      data: {
        ...body.data,
        newDataField: [1, 2],
        context: {
          ...body.data.context,
          newContext: "x",
          request: { ...body.data.context?.request, newRequestField: 1 },
        },
      },
    };
    assert.deepEqual(validRequest(extended), []);
  });

  it("accepts version fields sent as numbers, as in Okta's management spec examples", () => {
    assert.deepEqual(
      validRequest({ ...selfServiceRegistration(), eventTypeVersion: 1, cloudEventVersion: 0.1 }),
      [],
    );
  });

  it("accepts data.action ALLOW, DENY and null, and nothing else", () => {
    for (const action of ["ALLOW", "DENY", null]) {
      const body = classicRegistration();
      assert.deepEqual(
        validRequest({ ...body, data: { ...body.data, action } }),
        [],
        String(action),
      );
    }
    const body = classicRegistration();
    assert.notDeepEqual(validRequest({ ...body, data: { ...body.data, action: "allow" } }), []);
  });

  it("rejects an unknown requestType and another hook's eventType", () => {
    assert.notDeepEqual(
      validRequest({ ...selfServiceRegistration(), requestType: "password.import" }),
      [],
    );
    assert.notDeepEqual(
      validRequest({ ...selfServiceRegistration(), eventType: "com.okta.import.transform" }),
      [],
    );
  });

  it("rejects a self-service registration that carries only userProfileUpdate", () => {
    const body = selfServiceRegistration() as { data: Record<string, unknown> };
    body.data.userProfileUpdate = body.data.userProfile;
    delete body.data.userProfile;
    assert.notDeepEqual(validRequest(body), []);
  });
});

describe("response schema", () => {
  for (const [name, body] of Object.entries(publishedResponses)) {
    it(`accepts Okta's published response ${name}`, () => {
      assert.deepEqual(validResponse(body), []);
    });
  }
  for (const [name, body] of Object.entries(misspelledResponses)) {
    it(`rejects a response with ${name}`, () => {
      assert.notDeepEqual(validResponse(body), []);
    });
  }
});

describe("the spec's own examples", () => {
  it("every named example validates against the schema beside it", () => {
    let checked = 0;
    for (const { method, path } of specOperations.values()) {
      const op = spec.paths[path]?.[method];
      assert.ok(op);
      const requestBody = op.requestBody && resolveRef(op.requestBody);
      const media = [
        ...Object.values(requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(resolveRef(r)?.content ?? {})),
      ];
      for (const m of media) {
        const schema = m.schema && "$ref" in m.schema ? m.schema.$ref : "";
        const schemaName = schema.replace("#/components/schemas/", "");
        for (const ref of Object.values(m.examples ?? {})) {
          assert.ok("$ref" in ref, `${path}: examples are named, in components.examples`);
          const example = resolveRef(ref);
          assert.ok(example && "value" in example, ref.$ref);
          assert.deepEqual(validateSchema(schemaName, example.value), [], ref.$ref);
          checked += 1;
        }
      }
    }
    assert.ok(checked >= 9, `only ${checked} examples checked`);
  });
});

describe("error registry", () => {
  it("names exactly the problem types the spec lists", () => {
    const problem = spec.components?.schemas?.Problem;
    assert.ok(problem, "the spec defines Problem");
    const specTypes = (problem as { properties: { type: { enum: string[] } } }).properties.type
      .enum;
    assert.deepEqual(
      Object.values(PROBLEMS)
        .map((p) => p.type)
        .sort(),
      [...specTypes].sort(),
    );
  });

  it("answers only statuses the hook operation documents, each as problem+json", () => {
    const op = spec.paths["/registrationHook"]?.post;
    assert.ok(op);
    for (const { status } of Object.values(PROBLEMS)) {
      const documented = op.responses[String(status)];
      assert.ok(documented, `status ${status} is not documented`);
      const content = resolveRef(documented)?.content;
      assert.ok(content?.["application/problem+json"], `status ${status} is not problem+json`);
    }
  });
});
