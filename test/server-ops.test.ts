// Operating the real entry point: CONFIG_FILE with SIGHUP reloads (good and refused), the SIGTERM
// drain, and WORKERS. Each test runs src/server.ts as a child process (see support/process.ts).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ALLOW } from "../src/policy/answer.js";
import { withoutDebugContext } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import {
  exitOf,
  freePort,
  killAllStarted,
  listeningPort,
  type ServerRun,
  startServer,
  waitFor,
  waitForLog,
} from "./support/process.js";
import { httpCall, rawConnect } from "./support/socket.js";

/** `ops:secret-from-the-config-file`, the way Okta sends a Basic secret. */
const FILE_SECRET = "Basic b3BzOnNlY3JldC1mcm9tLXRoZS1jb25maWctZmlsZQ==";
const ENV_SECRET = "Basic b3BzOnNlY3JldC1mcm9tLXRoZS1lbnZpcm9ubWVudA==";

let dir = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "server-ops-test-"));
});

after(async () => {
  killAllStarted();
  await rm(dir, { recursive: true, force: true });
});

function yamlFile(allowedDomains: readonly string[], extra = ""): string {
  return [
    `ALLOWED_DOMAINS: [${allowedDomains.join(", ")}]`,
    `HOOK_AUTH_SECRET: "${FILE_SECRET}"`,
    "LOG_LEVEL: info",
    extra,
  ].join("\n");
}

interface HookAnswer {
  readonly status: number;
  /** ALLOW or DENY from the first command, when the body has one. */
  readonly registration: string | undefined;
}

async function callHook(port: number, email: string, secret = FILE_SECRET): Promise<HookAnswer> {
  const res = await httpCall(port, {
    method: "POST",
    path: "/registrationHook",
    headers: { authorization: secret, "content-type": "application/json" },
    body: JSON.stringify(selfServiceRegistration({ email, login: email })),
  });
  const body =
    res.status === 200 ? res.json<{ commands?: { value?: { registration?: string } }[] }>() : {};
  return { status: res.status, registration: body.commands?.[0]?.value?.registration };
}

async function stopCleanly(run: ServerRun): Promise<void> {
  run.child.kill("SIGTERM");
  const exit = await exitOf(run);
  assert.deepEqual(exit, { code: 0, signal: null }, run.output());
}

/** What a new TCP connection to the port meets: "connected", or the error code. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The pids whose parent is `pid`, from /proc (Linux). */
async function childPids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) pids.push(Number(entry));
  }
  return pids;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("CONFIG_FILE and SIGHUP", () => {
  it("starts from the file, and after the file is rewritten and SIGHUP sent, applies it without failing a call", async () => {
    const path = join(dir, "reload.yaml");
    await writeFile(path, yamlFile(["example.com"]));
    const run = startServer({ CONFIG_FILE: path });
    const port = await listeningPort(run);
    const [listening] = run.logs().filter((l) => l.msg === "registration hook listening");
    assert.deepEqual(listening?.allowedDomains, ["example.com"]);
    assert.doesNotMatch(run.output(), /DEMO secret/, "the file's HOOK_AUTH_SECRET should apply");

    assert.deepEqual(await callHook(port, "jo@other.test"), {
      status: 200,
      registration: "DENY",
    });
    assert.equal((await callHook(port, "jo@other.test", ENV_SECRET)).status, 401);

    // Calls keep coming, four at a time, before, during and after the reload.
    const answers: HookAnswer[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const batch = [1, 2, 3, 4].map(() => callHook(port, "jo@other.test"));
        answers.push(...(await Promise.all(batch)));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    load.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    try {
      await waitFor(run, () => answers.length >= 8, "calls answered before the reload");
      await writeFile(path, yamlFile(["example.com", "other.test"]));
      run.child.kill("SIGHUP");
      const [reloaded] = await waitForLog(run, "configuration reloaded", { timeoutMs: 10_000 });
      assert.deepEqual(reloaded?.allowedDomains, ["example.com", "other.test"]);
      const seen = answers.length;
      await waitFor(run, () => answers.length >= seen + 8, "calls answered after the reload");
    } finally {
      loading = false;
    }
    await load;

    const failed = answers.filter((a) => a.status !== 200);
    assert.deepEqual(failed, [], `${failed.length} of ${answers.length} calls failed`);
    for (const answer of answers) assert.match(String(answer.registration), /^(ALLOW|DENY)$/);
    assert.equal(answers.at(-1)?.registration, "ALLOW");
    assert.deepEqual(await callHook(port, "jo@other.test"), {
      status: 200,
      registration: "ALLOW",
    });
    assert.deepEqual(await callHook(port, "jo@example.com"), {
      status: 200,
      registration: "ALLOW",
    });
    await stopCleanly(run);
  });

  it("refuses an invalid reload, naming the setting, and keeps the running configuration", async () => {
    const path = join(dir, "refused.yaml");
    await writeFile(path, yamlFile(["example.com"]));
    const run = startServer({ CONFIG_FILE: path });
    const port = await listeningPort(run);
    const stillTheOld = async (why: string) => {
      assert.deepEqual(
        await callHook(port, "jo@example.com"),
        { status: 200, registration: "ALLOW" },
        why,
      );
      assert.deepEqual(
        await callHook(port, "jo@other.test"),
        { status: 200, registration: "DENY" },
        why,
      );
    };

    const attempts: [string, () => Promise<void>, RegExp][] = [
      [
        "an unknown key",
        () => writeFile(path, yamlFile(["example.com", "other.test"], "ALOWED_DOMAINS: x")),
        /^CONFIG_FILE: "ALOWED_DOMAINS" is not a known setting$/,
      ],
      [
        'ALLOWED_DOMAINS: "*"',
        () => writeFile(path, `ALLOWED_DOMAINS: "*"\nHOOK_AUTH_SECRET: "${FILE_SECRET}"\n`),
        /^CONFIG_FILE ALLOWED_DOMAINS: .*"\*"/,
      ],
      [
        "a wrong enum value",
        () => writeFile(path, yamlFile(["other.test"], "FAIL_MODE: sometimes")),
        /^CONFIG_FILE FAIL_MODE: /,
      ],
      ["a file that is gone", () => rm(path), /^CONFIG_FILE: cannot read /],
    ];
    const refusals = () =>
      run.logs().filter((line) => line.msg.startsWith("configuration reload refused"));
    for (const [what, change, problem] of attempts) {
      const before = refusals().length;
      await change();
      // The file watch reloads on the change too, so one change may be refused twice (and once
      // seen half-written): what counts is that the change's own problem is named.
      run.child.kill("SIGHUP");
      await waitFor(
        run,
        () =>
          refusals()
            .slice(before)
            .some((line) => problem.test(String(line.problem))),
        `${what}: refused, naming ${problem}`,
      );
      for (const refusal of refusals().slice(before)) {
        assert.equal(refusal.level, 50, `${what}: logged as an error`);
      }
      await stillTheOld(`after a reload with ${what}`);
    }
    assert.doesNotMatch(run.output(), /"configuration reloaded"/);
    assert.ok(!run.output().includes(FILE_SECRET), "the secret stays out of the log");

    // The handler still works: a valid file is applied on the next SIGHUP.
    await writeFile(path, yamlFile(["other.test"]));
    run.child.kill("SIGHUP");
    await waitForLog(run, "configuration reloaded", { timeoutMs: 10_000 });
    assert.deepEqual(await callHook(port, "jo@other.test"), {
      status: 200,
      registration: "ALLOW",
    });
    await stopCleanly(run);
  });
});

/** A raw connection with a hook call whose headers are sent and taken on (100 Continue), body not yet. */
async function callInFlight(run: ServerRun, port: number, bodyLength: number) {
  const connection = await rawConnect(port);
  // "Expect: 100-continue" makes the server say when it has taken the request on.
  connection.write(
    [
      "POST /registrationHook HTTP/1.1",
      "Host: 127.0.0.1",
      `Authorization: ${ENV_SECRET}`,
      "Content-Type: application/json",
      `Content-Length: ${bodyLength}`,
      "Expect: 100-continue",
      "",
      "",
    ].join("\r\n"),
  );
  await waitFor(
    run,
    () => connection.received().includes(" 100 Continue"),
    "the call to be in flight",
  );
  return connection;
}

describe("SIGTERM", () => {
  it("drains: new connections refused, the call in flight answered, readiness 503 on its connection, exit 0", async () => {
    const run = startServer({ HOOK_AUTH_SECRET: ENV_SECRET });
    const port = await listeningPort(run);
    const body = Buffer.from(
      JSON.stringify(selfServiceRegistration({ email: "jo@example.com", login: "jo" })),
    );
    const half = Math.floor(body.length / 2);

    const connection = await callInFlight(run, port, body.length);
    try {
      connection.write(body.subarray(0, half));

      run.child.kill("SIGTERM");
      await waitForLog(run, "draining", { timeoutMs: 10_000 });
      // The listener closes at once: nothing new gets in, so /readyz on a new connection is refused.
      assert.equal(await connectOutcome(port), "ECONNREFUSED");
      assert.equal(run.child.exitCode, null, "the server must wait for the call in flight");

      // The rest of the body and, in the same write, a pipelined readiness check on this connection.
      connection.write(
        Buffer.concat([
          body.subarray(half),
          Buffer.from("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        ]),
      );
      await waitFor(
        run,
        () => connection.closed,
        "the server to answer both and close the connection",
      );
    } finally {
      connection.destroy();
    }

    const received = connection.received();
    const [hook, readiness, ...more] = connection.responses();
    assert.ok(
      hook !== undefined && readiness !== undefined && more.length === 0,
      `two responses expected on the connection:\n${received}`,
    );
    assert.equal(hook.status, 200, received);
    assert.deepEqual(withoutDebugContext(JSON.parse(hook.body)), ALLOW);
    assert.equal(readiness.status, 503, received);
    assert.deepEqual(JSON.parse(readiness.body), {
      status: "not-ready",
      checks: { config: "ok", keys: "not-needed", shutdown: "draining" },
    });

    const exit = await exitOf(run, 8_000);
    assert.deepEqual(exit, { code: 0, signal: null }, run.output());
    assert.ok(
      run.logs().some((l) => l.msg === "stopped"),
      run.output(),
    );
    assert.doesNotMatch(run.output(), /drain timed out/);
  });
});

describe("SIGTERM with a keep-alive caller", () => {
  it("exits 0 soon after answering a keep-alive call that was in flight at SIGTERM", async () => {
    const run = startServer({ HOOK_AUTH_SECRET: ENV_SECRET });
    const port = await listeningPort(run);
    const body = Buffer.from(JSON.stringify(selfServiceRegistration()));
    // Okta and load balancers keep connections open: the answer goes out with keep-alive.
    const connection = await callInFlight(run, port, body.length);
    try {
      run.child.kill("SIGTERM");
      await waitForLog(run, "draining", { timeoutMs: 10_000 });
      connection.write(body);
      await waitFor(run, () => connection.responses().length === 1, "the answer");
      assert.equal(connection.responses()[0]?.status, 200, connection.received());
      const exit = await exitOf(run, 5_000);
      assert.deepEqual(exit, { code: 0, signal: null }, run.output());
      assert.doesNotMatch(run.output(), /drain timed out/);
    } finally {
      connection.destroy();
    }
  });
});

describe("a port that cannot be bound", () => {
  let blocker: Server | undefined;
  let port = 0;
  before(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(0, "0.0.0.0", resolve));
    port = (blocker.address() as AddressInfo).port;
  });
  after(() => {
    blocker?.close();
  });

  it("makes one process log a fatal line naming it and exit 1", async () => {
    const run = startServer({ HOOK_AUTH_SECRET: ENV_SECRET, PORT: String(port) });
    const exit = await exitOf(run, 20_000);
    assert.deepEqual(exit, { code: 1, signal: null }, run.output());
    assert.match(run.output(), /cannot listen on port \d+: EADDRINUSE/);
  });

  it("makes WORKERS=2 stop, not restart workers forever, and exit 1", async () => {
    const run = startServer({ HOOK_AUTH_SECRET: ENV_SECRET, PORT: String(port), WORKERS: "2" });
    const exit = await exitOf(run, 30_000);
    assert.deepEqual(exit, { code: 1, signal: null }, run.output());
    assert.match(run.output(), /worker exited before listening; stopping/);
    assert.doesNotMatch(run.output(), /starting another/);
  });
});

describe("WORKERS", () => {
  it("WORKERS=2 on a fixed PORT: two workers listen on it, answer, and all stop on SIGTERM with exit 0", async () => {
    const port = await freePort();
    const run = startServer({ PORT: String(port), WORKERS: "2", HOOK_AUTH_SECRET: ENV_SECRET });
    const [started] = await waitForLog(run, "started workers");
    assert.equal(started?.workers, 2);
    const listening = await waitForLog(run, "registration hook listening", {
      count: 2,
      timeoutMs: 40_000,
    });
    assert.deepEqual(
      listening.map((l) => l.port),
      [port, port],
    );
    assert.deepEqual(listening.map((l) => l.worker).sort(), [1, 2]);

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => callHook(port, "jo@example.com", ENV_SECRET)),
    );
    assert.deepEqual(
      answers.filter((a) => a.status !== 200 || a.registration !== "ALLOW"),
      [],
    );

    const pid = run.child.pid;
    const workers = pid !== undefined && existsSync("/proc") ? await childPids(pid) : [];
    if (existsSync("/proc")) assert.equal(workers.length, 2, `worker pids: ${workers.join(", ")}`);

    run.child.kill("SIGTERM");
    const exit = await exitOf(run);
    assert.deepEqual(exit, { code: 0, signal: null }, run.output());
    assert.equal(run.logs().filter((l) => l.msg === "stopped").length, 2, run.output());
    assert.doesNotMatch(run.output(), /worker exited; starting another/);
    assert.deepEqual(workers.filter(isRunning), [], "every worker has exited");
  });

  describe("refuses a bad WORKERS, naming it", { concurrency: true }, () => {
    for (const value of ["0", "lots"]) {
      it(`WORKERS=${value}`, async () => {
        const run = startServer({ WORKERS: value });
        const exit = await exitOf(run);
        assert.deepEqual(exit, { code: 78, signal: null }, run.output());
        const fatal = run.logs().find((l) => l.msg.startsWith("configuration error"));
        assert.equal(fatal?.level, 60, run.output());
        assert.match(fatal.msg, new RegExp(`^configuration error: WORKERS: "${value}" is not `));
        assert.doesNotMatch(run.output(), /registration hook listening|started workers/);
      });
    }
  });
});
