// The real entry point: starts on its defaults, answers, stops on SIGTERM, and refuses unsafe production settings.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ALLOW } from "../src/policy/answer.js";
import { DEMO_SECRET, withoutDebugContext } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { exitOf, killAllStarted, listeningPort, startServer } from "./support/process.js";
import { httpCall } from "./support/socket.js";

after(killAllStarted);

describe("server entry point", () => {
  it("starts on its defaults with a loud demo-secret warning, answers, and exits cleanly on SIGTERM", async () => {
    const run = startServer({});
    const port = await listeningPort(run);
    assert.match(run.output(), /DEMO secret/);
    const res = await httpCall(port, {
      method: "POST",
      path: "/registrationHook",
      headers: { authorization: DEMO_SECRET, "content-type": "application/json" },
      body: JSON.stringify(selfServiceRegistration()),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(withoutDebugContext(res.json()), ALLOW);
    run.child.kill("SIGTERM");
    assert.deepEqual(await exitOf(run), { code: 0, signal: null });
  });

  const refusals: [string, Record<string, string>, string][] = [
    ["no secret in production", { NODE_ENV: "production" }, "HOOK_AUTH_SECRET"],
    [
      "the demo secret in production",
      { NODE_ENV: "production", HOOK_AUTH_SECRET: DEMO_SECRET },
      "HOOK_AUTH_SECRET",
    ],
    ["a bad PORT", { PORT: "eighty" }, "PORT"],
    ["a bad ALLOWED_DOMAINS entry", { ALLOWED_DOMAINS: "example.com,*.com" }, "ALLOWED_DOMAINS"],
  ];
  for (const [name, env, setting] of refusals) {
    it(`refuses to start with ${name}, naming ${setting}`, async () => {
      const run = startServer(env);
      const { code } = await exitOf(run);
      assert.equal(code, 78, run.output());
      assert.match(run.output(), new RegExp(`configuration error: ${setting}`));
      assert.doesNotMatch(run.output(), /registration hook listening/);
    });
  }
});
