// The real entry point: starts on its defaults, answers, stops on SIGTERM, and refuses unsafe production settings.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEMO_SECRET } from "../src/config.js";
import { selfServiceRegistration } from "./support/fixtures.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Run {
  child: ChildProcess;
  output: () => string;
}

function startServer(env: Record<string, string>): Run {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(PORT|HOOK_|ALLOWED_DOMAINS|LOG_LEVEL|NODE_ENV)/.test(k),
    ),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: ROOT,
    env: { ...clean, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

async function exitOf(run: Run): Promise<number | null> {
  const [code] = (await once(run.child, "exit")) as [number | null];
  return code;
}

async function listeningPort(run: Run): Promise<number> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const line = run
      .output()
      .split("\n")
      .find((l) => l.includes('"registration hook listening"'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill();
  throw new Error(`server did not start:\n${run.output()}`);
}

describe("server entry point", () => {
  it("starts on its defaults with a loud demo-secret warning, answers, and exits cleanly on SIGTERM", async () => {
    const run = startServer({});
    const port = await listeningPort(run);
    assert.match(run.output(), /DEMO secret/);
    const res = await fetch(`http://127.0.0.1:${port}/registrationHook`, {
      method: "POST",
      headers: { authorization: DEMO_SECRET, "content-type": "application/json" },
      body: JSON.stringify(selfServiceRegistration()),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
    });
    run.child.kill("SIGTERM");
    assert.equal(await exitOf(run), 0);
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
      const code = await exitOf(run);
      assert.notEqual(code, 0);
      assert.match(run.output(), new RegExp(`configuration error: ${setting}`));
      assert.doesNotMatch(run.output(), /registration hook listening/);
    });
  }
});
