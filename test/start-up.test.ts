// Start-up: the first hook answer must not wait for the general path. POST /registrationHook is
// answered by the hot path with precompiled validators, before express, openapi-backend or (in
// shared-secret mode) jose are loaded; warm(), which the service calls once it listens, loads them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("start-up", () => {
  it("answers the hook before loading express, openapi-backend or jose, and loads the rest on warm()", () => {
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", "test/support/start-up-child.ts"],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_TEST_CONTEXT: "" } },
    );
    const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    assert.equal(result.hookStatus, 200);
    assert.equal(result.registration, "ALLOW");
    assert.deepEqual(result.afterHook, [], "nothing of the general path or OAuth is loaded");
    assert.deepEqual(
      result.afterWarm,
      ["express", "openapi-backend", "@apidevtools/json-schema-ref-parser"],
      "warm() loads the general path, and still not jose",
    );
    assert.equal(result.healthStatus, 200);
  });
});
