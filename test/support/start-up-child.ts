// Run by test/start-up.test.ts in a process of its own (`node --import tsx`): builds the service as
// main.ts does, answers one hook call, then warms the general path, and prints which of the
// packages the hot path must not need were loaded at each point, as one JSON line.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Writable } from "node:stream";

const require = createRequire(import.meta.url);
const WATCHED = ["express", "openapi-backend", "jose", "@apidevtools/json-schema-ref-parser"];
const loaded = () =>
  WATCHED.filter((pkg) =>
    Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`)),
  );

// Every module of the service as main.ts loads it (main itself, without running it).
await import("../../src/main.js");
const { createApp } = await import("../../src/app.js");
const { loadConfig } = await import("../../src/config/index.js");
const { createLogger } = await import("../../src/logger.js");
const secret = "Basic dGVzdDpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";
const config = loadConfig({ HOOK_AUTH_SECRET: secret, ALLOWED_DOMAINS: "example.com" });
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const app = await createApp(config, { logger: createLogger("info", quiet) });
const server = createServer(app);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const hook = await fetch(`${base}/registrationHook`, {
  method: "POST",
  headers: { authorization: secret, "content-type": "application/json" },
  body: JSON.stringify({
    eventType: "com.okta.user.pre-registration",
    requestType: "self.service.registration",
    data: { userProfile: { email: "jo@example.com" } },
  }),
});
const answer = (await hook.json()) as { commands?: { value?: { registration?: string } }[] };
const afterHook = loaded();
await app.warm();
const afterWarm = loaded();
const health = await fetch(`${base}/healthz`);
await health.arrayBuffer();
server.close();
process.stdout.write(
  `${JSON.stringify({
    hookStatus: hook.status,
    registration: answer.commands?.[0]?.value?.registration,
    afterHook,
    afterWarm,
    healthStatus: health.status,
  })}\n`,
);
