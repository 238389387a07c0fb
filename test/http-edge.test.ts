// The real HTTP server with short limits: slow or greedy clients are cut off while others are answered,
// and every API answer carries the security headers.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, before, describe, it } from "node:test";
import type { ServerLimits } from "../src/http/server.js";
import { ALLOW } from "../src/policy/answer.js";
import {
  type Listening,
  listen,
  startService,
  TEST_SECRET,
  withoutDebugContext,
} from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { type HttpAnswer, httpCall, rawConnect, rawExchange } from "./support/socket.js";

const LIMITS = {
  headersTimeoutMs: 500,
  requestTimeoutMs: 1_000,
  keepAliveTimeoutMs: 2_000,
  maxHeaderSize: 8 * 1024,
  checkIntervalMs: 100,
} as const satisfies Partial<ServerLimits>;

const SAMPLE = JSON.stringify(selfServiceRegistration());

let listening: Listening;

/** One hook call (or a GET) with node:http; a fresh connection unless an agent is given. */
function call(
  path: string,
  {
    method = "POST",
    body = SAMPLE,
    secret = TEST_SECRET,
    agent = undefined as Agent | undefined,
  } = {},
): Promise<HttpAnswer> {
  return httpCall(listening.port, {
    method,
    path,
    headers: { "content-type": "application/json", authorization: secret },
    ...(method === "GET" ? {} : { body }),
    ...(agent === undefined ? {} : { agent }),
  });
}

interface Cutoff {
  /** Milliseconds from connecting until the server closed the connection. */
  elapsedMs: number;
}

/**
 * Connects, writes `head` at once, then one byte of `dribble` every `everyMs` until the server
 * closes the connection; fails if it is still open after `giveUpMs`. Whatever the server said
 * before closing (at most a 408) is checked against the spec.
 */
async function dribble(head: string, dribble: string, everyMs: number, giveUpMs: number) {
  const connection = await rawConnect(listening.port);
  const started = performance.now();
  connection.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (!connection.socket.writable) return;
    connection.write(dribble.charAt(sent % dribble.length));
    sent += 1;
  }, everyMs);
  const giveUp = setTimeout(() => connection.destroy(), giveUpMs);
  await connection.whenClosed;
  clearInterval(timer);
  clearTimeout(giveUp);
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < giveUpMs, `the slow client was not cut off within ${giveUpMs} ms`);
  const said = connection.responses();
  assert.ok(
    said.every((r) => r.status === 408) && said.length <= 1,
    `cut off means closed, with at most a 408 said first: ${connection.received()}`,
  );
  return { elapsedMs } satisfies Cutoff;
}

async function assertAnswered(pending: Promise<HttpAnswer>): Promise<void> {
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.deepEqual(withoutDebugContext(answer.json()), ALLOW);
}

// The tests share the server and nothing else, so they run side by side: the suite lasts as long as its slowest.
describe("HTTP server limits and headers", { concurrency: true }, () => {
  before(async () => {
    listening = await listen(await startService(), LIMITS);
  });

  after(() => listening.close());

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
    assert.ok(
      cutoff.elapsedMs >= LIMITS.requestTimeoutMs - 100,
      `cut off after ${cutoff.elapsedMs} ms, before the request timeout`,
    );
  });

  it("answers 431 to a header block over the limit, and keeps answering", async () => {
    const responses = await rawExchange(
      listening.port,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(LIMITS.maxHeaderSize + 1024)}\r\n\r\n`,
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      [431],
    );
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
      const answers: HttpAnswer[] = [];
      for (let i = 0; i < 3; i += 1) answers.push(await call("/registrationHook", { agent }));
      // Idle keep-alive connections are kept keepAliveTimeoutMs, not cut at the request timeout.
      await new Promise((resolve) => setTimeout(resolve, LIMITS.requestTimeoutMs + 200));
      answers.push(await call("/registrationHook", { agent }));
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        assert.deepEqual(withoutDebugContext(answer.json()), ALLOW);
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
