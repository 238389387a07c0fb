// The real HTTP server with short limits: slow or greedy clients are cut off while others are answered,
// and every API answer carries the security headers.
import assert from "node:assert/strict";
import { once } from "node:events";
import { Agent, type IncomingHttpHeaders, request, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { createHttpServer, type ServerLimits } from "../src/http/server.js";
import { startService, TEST_SECRET } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";

const LIMITS: ServerLimits = {
  headersTimeoutMs: 500,
  requestTimeoutMs: 1_000,
  keepAliveTimeoutMs: 2_000,
  maxHeaderSize: 8 * 1024,
  checkIntervalMs: 100,
};

const SAMPLE = JSON.stringify(selfServiceRegistration());
const ALLOW = {
  commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
};

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client's port, to tell connections apart. */
  localPort: number | undefined;
  reusedSocket: boolean;
}

let server: Server;
let port: number;

/** One call with node:http; a fresh connection unless an agent is given. */
function call(
  path: string,
  {
    method = "POST",
    body = SAMPLE,
    secret = TEST_SECRET,
    agent = undefined as Agent | undefined,
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method,
        agent: agent ?? false,
        headers: { "content-type": "application/json", authorization: secret },
      },
      (res) => {
        // Read now: a keep-alive agent detaches the socket once the answer has ended.
        const localPort = res.socket.localPort;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            localPort,
            reusedSocket: req.reusedSocket,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(method === "GET" ? undefined : body);
  });
}

interface Cutoff {
  /** Milliseconds from connecting until the server closed the connection. */
  elapsedMs: number;
  /** Whatever the server wrote before closing. */
  received: string;
}

/**
 * Connects, writes `head` at once, then one byte of `dribble` every `everyMs` until the server
 * closes the connection; fails if it is still open after `giveUpMs`.
 */
async function dribble(head: string, dribble: string, everyMs: number, giveUpMs: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const started = performance.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  // A reset after the server gave up counts as being cut off, like a clean close.
  socket.on("error", () => {});
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (!socket.writable) return;
    socket.write(dribble.charAt(sent % dribble.length));
    sent += 1;
  }, everyMs);
  const giveUp = setTimeout(() => socket.destroy(new Error("still open")), giveUpMs);
  await once(socket, "close");
  clearInterval(timer);
  clearTimeout(giveUp);
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < giveUpMs, `the slow client was not cut off within ${giveUpMs} ms`);
  return { elapsedMs, received } satisfies Cutoff;
}

/** Cut off means closed, with at most a 408 said first. */
function assertCutOff(cutoff: Cutoff): void {
  if (cutoff.received !== "") assert.match(cutoff.received, /^HTTP\/1\.1 408 /);
}

async function assertAnswered(pending: Promise<Answer>): Promise<void> {
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body), ALLOW);
}

// The tests share the server and nothing else, so they run side by side: the suite lasts as long as its slowest.
describe("HTTP server limits and headers", { concurrency: true }, () => {
  before(async () => {
    const service = await startService();
    server = createHttpServer(service.app, LIMITS);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });

  it("cuts off a client that dribbles its headers, while a concurrent call is answered", async () => {
    const slow = dribble(
      "POST /registrationHook HTTP/1.1\r\nHost: 127.0.0.1\r\n",
      "X-Slow: aaaa\r\n",
      50,
      3_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await assertAnswered(call("/registrationHook"));
    const cutoff = await slow;
    assertCutOff(cutoff);
    assert.ok(
      cutoff.elapsedMs >= LIMITS.headersTimeoutMs - 100,
      `cut off after ${cutoff.elapsedMs} ms, before the headers timeout`,
    );
  });

  it("cuts off a client that dribbles its body, while a concurrent call is answered", async () => {
    const head = [
      "POST /registrationHook HTTP/1.1",
      "Host: 127.0.0.1",
      "Content-Type: application/json",
      `Authorization: ${TEST_SECRET}`,
      `Content-Length: ${SAMPLE.length}`,
      "",
      "",
    ].join("\r\n");
    const slow = dribble(head, SAMPLE, 50, 4_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assertAnswered(call("/registrationHook"));
    const cutoff = await slow;
    assertCutOff(cutoff);
    assert.ok(
      cutoff.elapsedMs >= LIMITS.requestTimeoutMs - 100,
      `cut off after ${cutoff.elapsedMs} ms, before the request timeout`,
    );
  });

  it("answers 431 to a header block over the limit, and keeps answering", async () => {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.end(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(LIMITS.maxHeaderSize + 1024)}\r\n\r\n`,
    );
    await once(socket, "close");
    assert.match(received, /^HTTP\/1\.1 431 /);
    await assertAnswered(call("/registrationHook"));
  });

  it("sends the security headers on API answers, whatever the status", async () => {
    const answers = await Promise.all([
      call("/registrationHook"),
      call("/registrationHook", { secret: "Basic bm90OnRoZS1yaWdodC1zZWNyZXQ=" }),
      call("/registrationHook", { body: "{" }),
      call("/healthz", { method: "GET" }),
      call("/no-such-path", { method: "GET" }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 401, 400, 200, 404],
    );
    for (const { status, headers } of answers) {
      assert.equal(headers["x-powered-by"], undefined, `x-powered-by on ${status}`);
      assert.equal(headers["x-content-type-options"], "nosniff", `nosniff on ${status}`);
      assert.equal(headers["cache-control"], "no-store", `cache-control on ${status}`);
      const csp = String(headers["content-security-policy"] ?? "");
      assert.match(csp, /(^|;)\s*default-src 'none'(;|$)/, `CSP on ${status}: ${csp}`);
    }
  });

  it("answers several calls on one keep-alive connection, idle longer than a request may take", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers: Answer[] = [];
      for (let i = 0; i < 3; i += 1) answers.push(await call("/registrationHook", { agent }));
      // Idle keep-alive connections are kept keepAliveTimeoutMs, not cut at the request timeout.
      await new Promise((resolve) => setTimeout(resolve, LIMITS.requestTimeoutMs + 200));
      answers.push(await call("/registrationHook", { agent }));
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        assert.deepEqual(JSON.parse(answer.body), ALLOW);
        assert.notEqual(answer.headers.connection, "close");
      }
      assert.deepEqual(
        answers.map((a) => a.reusedSocket),
        [false, true, true, true],
      );
      const ports = new Set(answers.map((a) => a.localPort));
      assert.ok(!ports.has(undefined));
      assert.equal(ports.size, 1, `calls used ${ports.size} connections`);
    } finally {
      agent.destroy();
    }
  });
});
