// Start-up: the first hook answer must not wait for the general path. POST /registrationHook is
// answered by the hot path with precompiled validators, before express, openapi-backend or (in
// shared-secret mode) jose are loaded; warm(), which the service calls once it listens, loads them;
// a general path that cannot be loaded stops the process.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { exitOf, startServer } from "./support/process.js";

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

describe("start-up without the general path", () => {
  it("logs a fatal line and exits 1 when the general path cannot be loaded", async () => {
    // The application without public/: the documents, part of the general path, cannot be built.
    const root = await mkdtemp(join(tmpdir(), "hook-no-public-"));
    try {
      for (const part of ["src", "generated", "package.json"]) {
        await cp(join(ROOT, part), join(root, part), { recursive: true });
      }
      await symlink(join(ROOT, "node_modules"), join(root, "node_modules"));
      const run = startServer({}, root);
      const exit = await exitOf(run);
      assert.equal(exit.code, 1, run.output());
      const fatal = run.logs().find((line) => line.level === 60);
      assert.equal(fatal?.msg, "the probes, metrics and documents could not be loaded; stopping");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
