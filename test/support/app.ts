// Builds the app in process for tests, with a captured log and a request helper that checks the spec.
import { Writable } from "node:stream";
import supertest from "supertest";
import { type AppDeps, createApp, type HookApp } from "../../src/app.js";
import { DEMO_SECRET, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { assertMatchesSpec } from "./spec.js";

export const TEST_SECRET = "Basic dGVzdDpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";
export { DEMO_SECRET };

export interface TestService {
  readonly app: HookApp;
  /** A supertest agent; every response must go through `expectSpec`. */
  readonly request: ReturnType<typeof supertest>;
  /** Every log line the app wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log text, for hygiene checks. */
  readonly rawLogs: () => string;
}

/** Builds the app in process; `env` is laid over a test secret and example.com; `deps` over a captured logger. */
export async function startService(
  env: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, "logger">> = {},
): Promise<TestService> {
  const config = loadConfig({
    HOOK_AUTH_SECRET: TEST_SECRET,
    ALLOWED_DOMAINS: "example.com",
    ...env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const app = await createApp(config, { ...deps, logger: createLogger("debug", sink) });
  return {
    app,
    request: supertest(app),
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join("\n"),
  };
}

/** Posts a hook call with the given body and auth (`secret: null` sends no auth header), and checks the answer against the spec. */
export async function postHook(
  service: TestService,
  body: unknown,
  { secret = TEST_SECRET as string | null, header = "authorization" } = {},
) {
  let call = service.request.post("/registrationHook").set("content-type", "application/json");
  if (secret !== null) call = call.set(header, secret);
  const res = await call.send(typeof body === "string" ? body : JSON.stringify(body));
  assertMatchesSpec(res);
  return res;
}

export { assertMatchesSpec };
