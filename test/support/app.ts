// Builds the app in process for tests, with a captured log, and the in-process clients: every
// answer they return has been checked against the spec (test/support/spec.ts). For calls over a
// real socket, see test/support/socket.ts; `listen` puts the app on one.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import supertest, { type Response } from "supertest";
import { type AppDeps, createApp, type HookApp } from "../../src/app.js";
import { ConfigError, DEMO_SECRET, loadConfig, parseWorkers } from "../../src/config/index.js";
import { createHttpServer, DEFAULT_LIMITS, type ServerLimits } from "../../src/http/server.js";
import { createLogger } from "../../src/logger.js";
import { assertMatchesSpec, assertOutsideSpec } from "./spec.js";

export const TEST_SECRET = "Basic dGVzdDpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";
// The configuration the tests build, through this one import of src/config.
export { ConfigError, DEMO_SECRET, loadConfig, parseWorkers };

export interface TestService {
  readonly app: HookApp;
  /** A supertest agent. Prefer `call` and `postHook`, which check every answer against the spec. */
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

export interface CallOptions {
  /** Request headers, sent as given (no content type is added). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, sent as these bytes. */
  readonly body?: string | Buffer;
}

type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

/** Any call in process; the answer is checked against the spec before it is returned. */
export async function call(
  service: TestService,
  method: Method,
  path: string,
  { headers = {}, body }: CallOptions = {},
): Promise<Response> {
  const verb = method.toLowerCase() as Lowercase<Method>;
  let pending = service.request[verb](path);
  for (const [name, value] of Object.entries(headers)) pending = pending.set(name, value);
  // superagent would serialise a Buffer as JSON for a JSON content type: send its bytes as they are.
  if (Buffer.isBuffer(body)) pending = pending.serialize((bytes: unknown) => bytes as string);
  const res = await (body === undefined ? pending : pending.send(body));
  assertMatchesSpec(res);
  return res;
}

/** A GET of a route outside the spec (`/openapi.json`, `/openapi.yaml`, `/docs*`): the one opt-out. */
export async function getOutsideSpec(service: TestService, path: string): Promise<Response> {
  const res = await service.request.get(path);
  assertOutsideSpec(res);
  return res;
}

/** Posts a hook call with the given body and auth (`secret: null` sends no auth header), and checks the answer against the spec. */
export function postHook(
  service: TestService,
  body: unknown,
  { secret = TEST_SECRET as string | null, header = "authorization" } = {},
): Promise<Response> {
  return call(service, "POST", "/registrationHook", {
    headers: {
      "content-type": "application/json",
      ...(secret === null ? {} : { [header]: secret }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/**
 * Serves the app on a real socket (127.0.0.1, a free port) through the service's own HTTP
 * server, with its default limits or some of them changed.
 */
export async function listen(
  service: TestService,
  limits: Partial<ServerLimits> = {},
): Promise<Listening> {
  const server = createHttpServer(service.app, { ...DEFAULT_LIMITS, ...limits });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { assertMatchesSpec };

/**
 * A hook answer without its debugContext, once the debugContext is checked: present, saying the
 * same decision as the commands, naming the policy's version, and holding no address.
 */
export function withoutDebugContext(body: unknown): unknown {
  assert.ok(typeof body === "object" && body !== null, "an answer object");
  const { debugContext, ...answer } = body as { debugContext?: Record<string, unknown> };
  assert.ok(debugContext, "every 200 answer carries a debugContext");
  const registration = (answer as { commands?: { value?: { registration?: string } }[] })
    .commands?.[0]?.value?.registration;
  const denied = registration === "DENY" || "error" in answer;
  assert.equal(debugContext.decision, denied ? "DENY" : "ALLOW");
  assert.match(String(debugContext.policyVersion), /^[0-9a-f]{12}$/);
  assert.ok(!JSON.stringify(debugContext).includes("@"), "no address in the debugContext");
  return answer;
}
