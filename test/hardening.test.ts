// What a hostile client or a careless operator can try, and what the service does instead of
// falling over: work only after authentication, bounded bodies and connections, problem answers
// for every refusal (including node's own), safe reloads and signals.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { SignJWT } from "jose";
import { ConfigError } from "../src/config/index.js";
import { serialised } from "../src/signals.js";
import {
  call,
  listen,
  loadConfig,
  postHook,
  startService,
  TEST_SECRET,
  type TestService,
} from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { closeAllJwks, newSigningKey, startJwks } from "./support/jwks.js";
import {
  exitOf,
  hasExited,
  listeningPort,
  type ServerRun,
  startServer,
  waitFor as waitForRun,
} from "./support/process.js";
import { httpCall, rawConnect, rawExchange } from "./support/socket.js";

after(closeAllJwks);

const ALLOWED = JSON.stringify(selfServiceRegistration());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

function hook(
  service: TestService,
  headers: Record<string, string>,
  body: string | Buffer,
  path = "/registrationHook",
) {
  return call(service, "POST", path, { headers, body });
}

const withSecret = (extra: Record<string, string> = {}) => ({
  authorization: TEST_SECRET,
  "content-type": "application/json",
  ...extra,
});

function counter(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

describe("work before authentication", () => {
  it("answers 401 to a caller without credentials whatever its body: deep, broken, compressed or unsupported", async () => {
    const service = await startService();
    const bodies: [string, Record<string, string>, string | Buffer][] = [
      ["a 10,000-level nested body", {}, nested(10_000)],
      ["malformed JSON", {}, "{"],
      ["Content-Encoding: compress", { "content-encoding": "compress" }, "xyz"],
      ["a corrupt gzip body", { "content-encoding": "gzip" }, Buffer.from("not gzip at all")],
      ["a text/plain body", { "content-type": "text/plain" }, "hello"],
      ["charset=utf-16", { "content-type": "application/json; charset=utf-16" }, "{}"],
    ];
    for (const [what, headers, body] of bodies) {
      const res = await hook(service, { "content-type": "application/json", ...headers }, body);
      assert.equal(res.status, 401, what);
    }
    const metrics = await call(service, "GET", "/metrics");
    assert.equal(counter(metrics.text, "registration_hook_validation_failures_total"), 0);
    assert.equal(counter(metrics.text, "registration_hook_internal_failures_total"), 0);
  });

  it("answers 401 before the body has even arrived", async () => {
    const service = await startService();
    const served = await listen(service);
    const connection = await rawConnect(served.port);
    // Headers promise 1,000 bytes that never come: only an answer from the headers alone can arrive.
    connection.write(
      "POST /registrationHook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    await waitFor(() => connection.responses().length > 0, "an answer", 5_000);
    assert.equal(connection.responses()[0]?.status, 401);
    connection.destroy();
    await served.close();
  });

  it("checks the shared secret first in OAuth mode: a wrong one is 401 even while no key is held", async () => {
    const jwks = await startJwks();
    jwks.availability = "error";
    for (const failMode of ["closed", "open"]) {
      const service = await startService(
        {
          HOOK_AUTH_MODE: "oauth",
          OAUTH_ISSUER: "https://issuer.test/oauth2/default",
          OAUTH_AUDIENCE: "api://default",
          OAUTH_JWKS_URI: jwks.uri,
          HOOK_AUTH_HEADER: "x-hook-secret",
          FAIL_MODE: failMode,
        },
        { keyOptions: { retryDelayMs: 3_600_000 } },
      );
      for (const secret of [undefined, "wrong-secret-value-here"]) {
        const res = await hook(
          service,
          {
            "content-type": "application/json",
            authorization: "Bearer a.b.c",
            ...(secret === undefined ? {} : { "x-hook-secret": secret }),
          },
          ALLOWED,
        );
        assert.equal(res.status, 401, `${failMode}, secret ${secret ?? "missing"}`);
      }
    }
  });
});

describe("compressed bodies", () => {
  const body = Buffer.from(ALLOWED);
  it("reads gzip, deflate and br bodies", async () => {
    const service = await startService();
    for (const [encoding, bytes] of [
      ["gzip", gzipSync(body)],
      ["deflate", deflateSync(body)],
      ["br", brotliCompressSync(body)],
    ] as const) {
      const res = await hook(service, withSecret({ "content-encoding": encoding }), bytes);
      assert.equal(res.status, 200, encoding);
      assert.equal(res.body.commands[0].value.registration, "ALLOW", encoding);
    }
  });

  it("answers a corrupt or truncated compressed body 400, never a 5xx, never an internal failure", async () => {
    for (const failMode of ["closed", "open"]) {
      const service = await startService({ FAIL_MODE: failMode });
      const gz = gzipSync(body);
      const cases: [string, Buffer][] = [
        ["gzip", Buffer.from("this is not gzip")],
        ["gzip", gz.subarray(0, gz.length - 10)],
        ["deflate", Buffer.from("nor deflate")],
        ["br", Buffer.from([0xff, 0xff, 0xff, 0xff])],
      ];
      for (const [encoding, bytes] of cases) {
        const res = await hook(service, withSecret({ "content-encoding": encoding }), bytes);
        assert.equal(res.status, 400, `${failMode} ${encoding}`);
        assert.equal(res.body.type, "urn:problem:registration-hook:malformed-json");
      }
      const metrics = await call(service, "GET", "/metrics");
      assert.equal(counter(metrics.text, "registration_hook_internal_failures_total"), 0);
      assert.ok(!service.rawLogs().includes('"stack"'), "no stack in the logs");
    }
  });

  it("refuses a body that inflates past the limit with 413", async () => {
    const service = await startService();
    const bomb = gzipSync(Buffer.from(`{"a":"${"x".repeat(10 * 1024 * 1024)}"}`));
    assert.ok(bomb.length < 64 * 1024);
    const res = await hook(service, withSecret({ "content-encoding": "gzip" }), bomb);
    assert.equal(res.status, 413);
  });

  it("refuses an unknown encoding with 415", async () => {
    const service = await startService();
    const res = await hook(service, withSecret({ "content-encoding": "compress" }), "x");
    assert.equal(res.status, 415);
  });
});

describe("charset", () => {
  it("refuses a charset other than UTF-8 with 415, and takes UTF-8 in any spelling", async () => {
    const service = await startService();
    const utf16 = Buffer.from(`\ufeff${ALLOWED}`, "utf16le");
    for (const [type, bytes] of [
      ["application/json; charset=utf-16", utf16],
      ["application/json; charset=bogus", Buffer.from(ALLOWED)],
      ["application/json; charset=iso-8859-1", Buffer.from(ALLOWED)],
    ] as const) {
      const res = await hook(service, withSecret({ "content-type": type }), bytes);
      assert.equal(res.status, 415, type);
      assert.match(res.body.detail, /UTF-8/);
    }
    for (const type of [
      "application/json; charset=utf-8",
      "application/json; charset=UTF-8",
      'application/json; charset="utf-8"',
      "application/json;charset=utf8",
    ]) {
      const res = await hook(service, withSecret({ "content-type": type }), ALLOWED);
      assert.equal(res.status, 200, type);
    }
  });
});

describe("HTTP conformance", () => {
  it("ignores a query string on every operation", async () => {
    const service = await startService();
    const res = await hook(service, withSecret(), ALLOWED, "/registrationHook?tenant=a&x=1");
    assert.equal(res.status, 200);
    assert.equal(res.body.commands[0].value.registration, "ALLOW");
    for (const path of ["/healthz?x=1", "/readyz?probe=k8s", "/metrics?name[]=a"]) {
      assert.equal((await call(service, "GET", path)).status, 200, path);
    }
  });

  it("sends Allow with every 405", async () => {
    const service = await startService();
    const cases: [string, "GET" | "POST" | "PUT" | "DELETE", string][] = [
      ["/registrationHook", "GET", "POST"],
      ["/registrationHook", "PUT", "POST"],
      ["/healthz", "POST", "GET, HEAD"],
      ["/readyz", "DELETE", "GET, HEAD"],
      ["/metrics", "POST", "GET, HEAD"],
    ];
    for (const [path, method, allow] of cases) {
      const res = await call(service, method, path);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.allow, allow, `${method} ${path}`);
    }
  });

  it("answers HEAD where it answers GET, with the headers and no body", async () => {
    const service = await startService();
    const served = await listen(service);
    try {
      for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]) {
        const outside = path === "/openapi.json" || path === "/docs";
        const res = await httpCall(served.port, {
          method: "HEAD",
          path,
          ...(outside ? { outsideSpec: true as const } : {}),
        });
        assert.equal(res.status, 200, path);
        assert.equal(res.text, "", path);
        assert.ok(Number(res.headers["content-length"]) > 0, `${path} content-length`);
      }
    } finally {
      await served.close();
    }
  });
});

describe("answers node writes itself", () => {
  it("gives malformed requests, oversized headers and slow requests a problem+json answer", async () => {
    const service = await startService();
    const served = await listen(service, {
      headersTimeoutMs: 300,
      requestTimeoutMs: 300,
      checkIntervalMs: 50,
    });
    const [bad] = await rawExchange(served.port, "NONSENSE\r\n\r\n");
    assert.equal(bad?.status, 400);
    assert.match(bad?.body ?? "", /bad-request/);

    const [large] = await rawExchange(
      served.port,
      `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`,
    );
    assert.equal(large?.status, 431);
    assert.match(large?.body ?? "", /headers-too-large/);

    const slow = await rawConnect(served.port);
    slow.write("GET /healthz HTTP/1.1\r\nHost: t\r\n");
    await slow.whenClosed;
    const [timeout] = slow.responses();
    assert.equal(timeout?.status, 408);
    assert.match(timeout?.body ?? "", /request-timeout/);
    await served.close();
  });
});

describe("clients that stop reading or pipeline without end", () => {
  it("cuts off a connection that pipelines more requests than the limit, and keeps serving others", async () => {
    const service = await startService();
    const served = await listen(service, { maxPipelined: 8 });
    const flood = await rawConnect(served.port);
    flood.socket.pause();
    flood.write("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n".repeat(500));
    await flood.whenClosed;
    const res = await httpCall(served.port, { path: "/healthz", timeoutMs: 2_000 });
    assert.equal(res.status, 200);
    await served.close();
  });

  it("closes a connection whose answers make no write progress", async () => {
    const service = await startService();
    const served = await listen(service, { writeStallMs: 300, checkIntervalMs: 50 });
    const connections = () =>
      new Promise<number>((resolve) => served.server.getConnections((_e, n) => resolve(n)));
    const stalled = await rawConnect(served.port);
    stalled.socket.pause();
    stalled.write("GET /docs/assets/swagger-ui-bundle.js HTTP/1.1\r\nHost: t\r\n\r\n".repeat(16));
    await waitFor(() => stalled.socket.bytesWritten > 0, "the requests sent", 2_000);
    assert.equal(await connections(), 1);
    const deadline = Date.now() + 5_000;
    while ((await connections()) > 0) {
      assert.ok(Date.now() < deadline, "the stalled connection is still open after 5 s");
      await sleep(50);
    }
    stalled.socket.resume();
    await stalled.whenClosed;
    const res = await httpCall(served.port, { path: "/healthz", timeoutMs: 2_000 });
    assert.equal(res.status, 200);
    await served.close();
  });
});

describe("docs switched off", () => {
  it("serves no /docs, /openapi.json or /openapi.yaml with DOCS=off, and still the API", async () => {
    const service = await startService({ DOCS: "off" });
    for (const path of [
      "/docs",
      "/docs/assets/swagger-ui-bundle.js",
      "/openapi.json",
      "/openapi.yaml",
    ]) {
      assert.equal((await call(service, "GET", path)).status, 404, path);
    }
    assert.equal((await postHook(service, selfServiceRegistration())).status, 200);
  });
});

describe("secrets Node could never match", () => {
  it("refuses a secret that is not visible ASCII at start, saying why and not repeating it", () => {
    for (const name of ["HOOK_AUTH_SECRET", "HOOK_AUTH_SECRET_PREVIOUS"]) {
      for (const secret of [
        "Basic cafébabe-0123456789",
        "tab\there-0123456789",
        "emoji-🔑-0123456789",
      ]) {
        const env: Record<string, string> = { [name]: secret };
        if (name === "HOOK_AUTH_SECRET_PREVIOUS") env.HOOK_AUTH_SECRET = TEST_SECRET;
        assert.throws(
          () => loadConfig(env),
          (error: unknown) =>
            error instanceof ConfigError &&
            error.message.startsWith(`${name}: `) &&
            /visible ASCII/.test(error.message) &&
            !error.message.includes(secret),
          `${name} ${JSON.stringify(secret)}`,
        );
      }
    }
  });
});

describe("reloads and key outages", () => {
  const oauthEnv = (jwksUri: string) => ({
    HOOK_AUTH_MODE: "oauth",
    OAUTH_ISSUER: "https://issuer.test/oauth2/default",
    OAUTH_AUDIENCE: "api://default",
    OAUTH_JWKS_URI: jwksUri,
    HOOK_AUTH_SECRET: "",
  });

  it("refuses a reload from header mode to OAuth mode whose keys cannot be fetched", async () => {
    const jwks = await startJwks();
    jwks.availability = "error";
    const service = await startService();
    await assert.rejects(service.app.reload(loadConfig(oauthEnv(jwks.uri))), /signing keys/);
    const res = await postHook(service, selfServiceRegistration());
    assert.equal(res.status, 200, "still in header mode");
    assert.equal((await call(service, "GET", "/readyz")).status, 200);
  });

  it("becomes ready by itself soon after a JWKS outage at start ends, with no call arriving", async () => {
    const key = await newSigningKey("k1");
    const jwks = await startJwks(key);
    jwks.availability = "error";
    const service = await startService(oauthEnv(jwks.uri), {
      keyOptions: { retryDelayMs: 50, maxRetryDelayMs: 200, minRefetchIntervalMs: 0 },
    });
    assert.equal((await call(service, "GET", "/readyz")).status, 503);
    jwks.availability = "up";
    const hitsBefore = jwks.hits;
    await waitFor(() => jwks.hits > hitsBefore, "a retry", 5_000);
    await sleep(50);
    assert.equal((await call(service, "GET", "/readyz")).status, 200);
    service.app.drain();
  });

  it("lets a readiness probe ask for the keys again", async () => {
    const key = await newSigningKey("k1");
    const jwks = await startJwks(key);
    jwks.availability = "error";
    const service = await startService(oauthEnv(jwks.uri), {
      keyOptions: { retryDelayMs: 3_600_000, minRefetchIntervalMs: 0 },
    });
    const hitsAtStart = jwks.hits;
    assert.equal((await call(service, "GET", "/readyz")).status, 503);
    // That probe asked too, while the JWKS still failed: let its fetch finish first.
    await waitFor(() => jwks.hits > hitsAtStart, "the first probe's fetch", 5_000);
    await sleep(50);
    jwks.availability = "up";
    const hitsBefore = jwks.hits;
    assert.equal((await call(service, "GET", "/readyz")).status, 503, "this probe asks");
    await waitFor(() => jwks.hits > hitsBefore, "a fetch", 5_000);
    await sleep(50);
    assert.equal((await call(service, "GET", "/readyz")).status, 200);
    const token = await new SignJWT({
      iss: "https://issuer.test/oauth2/default",
      aud: "api://default",
    })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setExpirationTime("5m")
      .sign(key.privateKey);
    const res = await hook(
      service,
      { "content-type": "application/json", authorization: `Bearer ${token}` },
      ALLOWED,
    );
    assert.equal(res.status, 200);
    service.app.drain();
  });

  it("runs reloads one at a time, and the last one asked for wins", async () => {
    const applied: number[] = [];
    let asked = 0;
    let running = 0;
    let overlap = false;
    const reload = serialised(async () => {
      const mine = asked;
      running += 1;
      overlap ||= running > 1;
      // The first reload is slow, the later ones fast: unserialised, they would finish out of order.
      await sleep(applied.length === 0 ? 100 : 5);
      applied.push(mine);
      running -= 1;
    });
    for (let i = 1; i <= 5; i += 1) {
      asked = i;
      reload();
      await sleep(2);
    }
    await waitFor(
      () => !overlap && applied.at(-1) === 5 && running === 0,
      "the last reload",
      5_000,
    );
    await sleep(150);
    assert.equal(overlap, false, "two reloads ran at once");
    assert.equal(applied.at(-1), 5, `applied ${applied.join(", ")}`);
    assert.ok(applied.length <= 2, `at most the running one and one more: ${applied.join(", ")}`);
  });
});

/** Whether the process has a SIGHUP handler installed (Linux: the SigCgt mask of /proc/<pid>/status). */
function catchesSighup(pid: number | undefined): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? "0";
    return (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Sends SIGHUP every 20 ms from the moment the process takes it until `done()`. */
async function hangUpUntil(run: ServerRun, done: () => boolean): Promise<number> {
  await waitForRun(run, () => catchesSighup(run.child.pid), "a SIGHUP handler", 10_000);
  let sent = 0;
  while (!done() && !hasExited(run)) {
    run.child.kill("SIGHUP");
    sent += 1;
    await sleep(20);
  }
  return sent;
}

describe("signals while starting", () => {
  it("takes SIGHUP in its entry, before the service's modules load", () => {
    const entry = readFileSync(new URL("../src/server.ts", import.meta.url), "utf8");
    const staticImports = [...entry.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    assert.deepEqual(staticImports, ["./signals.js"]);
    const signals = readFileSync(new URL("../src/signals.ts", import.meta.url), "utf8");
    for (const [, from] of signals.matchAll(/^import .* from "([^"]+)";$/gm)) {
      assert.match(from ?? "", /^node:/, "signals.ts loads nothing but node's own modules");
    }
  });

  it("survives SIGHUP all through its start, and applies it once started", async () => {
    const run = startServer({ LOG_LEVEL: "info" });
    const listening = () => run.logs().some((l) => l.msg === "registration hook listening");
    const sent = await hangUpUntil(run, listening);
    assert.ok(sent > 0, "at least one SIGHUP came during start");
    const port = await listeningPort(run);
    // Applied once started: the one asked for during start, or one of those sent just after.
    await waitForRun(
      run,
      () => run.logs().some((l) => l.msg === "configuration reloaded"),
      "the reload applied",
    );
    assert.equal((await httpCall(port, { path: "/healthz" })).status, 200);
    run.child.kill("SIGTERM");
    assert.deepEqual(await exitOf(run), { code: 0, signal: null });
  });

  it("with WORKERS=2, survives SIGHUP while the workers boot", async () => {
    const run = startServer({ WORKERS: "2", LOG_LEVEL: "info" });
    const bothListening = () =>
      run.logs().filter((l) => l.msg === "registration hook listening").length === 2;
    const sent = await hangUpUntil(run, bothListening);
    assert.ok(sent > 0);
    await waitForRun(run, bothListening, "two workers listening", 30_000);
    run.child.kill("SIGHUP");
    await waitForRun(
      run,
      () => run.logs().filter((l) => l.msg === "configuration reloaded").length >= 2,
      "both workers reloaded",
    );
    const port = Number(run.logs().find((l) => l.msg === "registration hook listening")?.port);
    assert.equal((await httpCall(port, { path: "/healthz" })).status, 200);
    assert.equal(
      run.logs().filter((l) => l.msg === "worker exited; starting another").length,
      0,
      run.output(),
    );
    run.child.kill("SIGTERM");
    assert.equal((await exitOf(run)).code, 0);
  });
});

describe("metrics with WORKERS=2", () => {
  it("shows every worker's counts on every scrape", async () => {
    const run = startServer({ WORKERS: "2", LOG_LEVEL: "info" });
    await waitForRun(
      run,
      () => run.logs().filter((l) => l.msg === "registration hook listening").length === 2,
      "two workers listening",
      30_000,
    );
    const port = await listeningPort(run);
    const calls = 20;
    for (let i = 0; i < calls; i += 1) {
      await httpCall(port, {
        method: "POST",
        path: "/registrationHook",
        headers: {
          "content-type": "application/json",
          authorization: "Basic YWRtaW46c3VwZXJzZWNyZXQ=",
        },
        body: ALLOWED,
      });
    }
    for (let scrape = 0; scrape < 6; scrape += 1) {
      const metrics = await httpCall(port, { path: "/metrics" });
      assert.equal(
        counter(metrics.text, "registration_hook_decisions_total"),
        calls,
        `scrape ${scrape}`,
      );
    }
    run.child.kill("SIGTERM");
    await exitOf(run);
  });
});
