// Shared by the soak and the bench: the real app on loopback in this process, an autocannon load fired
// from a child process (so the memory and the event loop measured are the service's alone), the figures.
import { fork } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { HookApp } from "../src/app.js";

/** A fixed secret for the load (`bench:load-test-secret-1`); never a real one. */
export const BENCH_SECRET = "Basic YmVuY2g6bG9hZC10ZXN0LXNlY3JldC0x";
/** A well-formed secret the service was not given (`bench:some-other-secret`). */
export const WRONG_SECRET = "Basic YmVuY2g6c29tZS1vdGhlci1zZWNyZXQ=";

const LOOPBACK = "127.0.0.1";
const HOOK_PATH = "/registrationHook";
const CHILD_FLAG = "--autocannon-child";

export interface Target {
  /** Base URL of the service, always on 127.0.0.1. */
  readonly url: string;
  readonly app: HookApp;
  close(): Promise<void>;
}

/** Starts the real app with the real server limits on 127.0.0.1, an ephemeral port, and a discarded log. */
export async function startTarget(): Promise<Target> {
  // Imported here so the load generator's child process does not load the app too.
  const [{ createApp }, { loadConfig }, { createHttpServer }, { createLogger }] = await Promise.all(
    [
      import("../src/app.js"),
      import("../src/config/index.js"),
      import("../src/http/server.js"),
      import("../src/logger.js"),
    ],
  );
  const config = loadConfig({
    HOOK_AUTH_SECRET: BENCH_SECRET,
    ALLOWED_DOMAINS: "example.com",
    LOG_LEVEL: "warn",
  });
  // Warnings (refused calls) are still serialised, as in production, then dropped.
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  const app = await createApp(config, { logger: createLogger(config.logLevel, sink) });
  const server = createHttpServer(app);
  server.listen(0, LOOPBACK);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    app,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** One kind of call in the mix, with the answer it must get. */
export interface LoadCase {
  readonly name: string;
  /** How many times it appears in each cycle of the mix. */
  readonly weight: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly expectStatus: number;
  /** A fragment the answer's body must contain. */
  readonly expectBody?: string;
}

/** A hook call: JSON body, the given Authorization value. */
export function hookCase(
  name: string,
  body: unknown,
  expect: { status: number; body?: string; secret?: string; weight?: number },
): LoadCase {
  return {
    name,
    weight: expect.weight ?? 1,
    headers: {
      "content-type": "application/json",
      authorization: expect.secret ?? BENCH_SECRET,
      "user-agent": "okta-registration-hook-bench",
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    expectStatus: expect.status,
    ...(expect.body === undefined ? {} : { expectBody: expect.body }),
  };
}

export interface LoadOptions {
  /** Base URL; must be on 127.0.0.1. */
  readonly url: string;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly cases: readonly LoadCase[];
  /** A call unanswered for this long counts as a timeout. */
  readonly timeoutSeconds?: number;
}

export interface CaseTally {
  readonly name: string;
  readonly expectStatus: number;
  answered: number;
  /** Answers by status code. */
  readonly byStatus: Record<string, number>;
  /** Answers with another status than expected, or any 5xx. */
  unexpected: number;
  /** Answers with the expected status whose body lacked the expected fragment. */
  mismatched: number;
}

export interface LoadSummary {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly sent: number;
  readonly answered: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  readonly non2xxExpected: number;
  readonly unexpected: number;
  readonly mismatched: number;
  readonly status5xx: number;
  /** Socket errors and timeouts, as autocannon counts them (timeouts included). */
  readonly errors: number;
  readonly timeouts: number;
  /** unexpected + mismatched + errors. */
  readonly failures: number;
  readonly cases: readonly CaseTally[];
}

function assertLoopback(url: string): void {
  const { hostname, protocol } = new URL(url);
  if (hostname !== LOOPBACK || protocol !== "http:") {
    throw new Error(`the load may only target http://${LOOPBACK}, not ${url}`);
  }
}

/** Runs autocannon in this process; used inside the child. */
async function fire(options: LoadOptions): Promise<LoadSummary> {
  assertLoopback(options.url);
  const tallies = options.cases.map(
    (c): CaseTally => ({
      name: c.name,
      expectStatus: c.expectStatus,
      answered: 0,
      byStatus: {},
      unexpected: 0,
      mismatched: 0,
    }),
  );
  const requests: autocannon.Request[] = options.cases.flatMap((c, i) => {
    const tally = tallies[i] as CaseTally;
    const request: autocannon.Request = {
      method: "POST",
      path: HOOK_PATH,
      headers: { ...c.headers },
      body: c.body,
      onResponse: (status, body) => {
        tally.answered += 1;
        tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
        if (status !== c.expectStatus || status >= 500) tally.unexpected += 1;
        else if (c.expectBody !== undefined && !body.includes(c.expectBody)) tally.mismatched += 1;
      },
    };
    return Array.from({ length: c.weight }, () => request);
  });
  const result = await autocannon({
    url: `${options.url}${HOOK_PATH}`,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds ?? 5,
    requests,
  });
  const sum = (pick: (t: CaseTally) => number) => tallies.reduce((n, t) => n + pick(t), 0);
  const unexpected = sum((t) => t.unexpected);
  const mismatched = sum((t) => t.mismatched);
  const non2xxExpected = sum((t) =>
    t.expectStatus >= 200 && t.expectStatus < 300 ? 0 : (t.byStatus[t.expectStatus] ?? 0),
  );
  return {
    durationSeconds: result.duration,
    connections: result.connections,
    sent: result.requests.sent,
    answered: sum((t) => t.answered),
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    non2xxExpected,
    unexpected,
    mismatched,
    status5xx: result["5xx"],
    errors: result.errors,
    timeouts: result.timeouts,
    failures: unexpected + mismatched + result.errors,
    cases: tallies,
  };
}

/** Fires the load from a child process and waits for its figures; the child is killed if it overstays. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  assertLoopback(options.url);
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const deadlineMs = (options.durationSeconds + (options.timeoutSeconds ?? 5) + 30) * 1000;
  return new Promise<LoadSummary>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(() => reject(new Error(`the load generator did not finish within ${deadlineMs} ms`)));
    }, deadlineMs);
    child.once("message", (summary) => {
      settle(() => resolve(summary as LoadSummary));
      // The child exits once the channel closes.
      child.disconnect();
    });
    child.once("error", (error) => settle(() => reject(error)));
    child.once("exit", (code, signal) =>
      settle(() =>
        reject(new Error(`the load generator exited (${code ?? signal}) without figures`)),
      ),
    );
    child.send(options);
  });
}

export interface MemorySample {
  readonly rssMB: number;
  readonly heapUsedMB: number;
  /** Whether a full GC ran first (only under --expose-gc). */
  readonly afterGc: boolean;
}

const MB = 1024 * 1024;
/** Rounds to `digits` decimals for display. */
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** This process's memory, after letting closing sockets settle and, when exposed, a full GC. */
export async function sampleMemory(): Promise<MemorySample> {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const collect = globalThis.gc;
  if (collect) {
    collect();
    collect();
  }
  const { rss, heapUsed } = process.memoryUsage();
  return {
    rssMB: round(rss / MB),
    heapUsedMB: round(heapUsed / MB),
    afterGc: collect !== undefined,
  };
}

/** The figures as aligned rows of a small table. */
export function table(rows: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n");
}

export function formatMemory(sample: MemorySample): string {
  return `rss ${sample.rssMB} MB, heapUsed ${sample.heapUsedMB} MB${sample.afterGc ? "" : " (no GC)"}`;
}

export function formatCase(tally: CaseTally): string {
  const statuses = Object.entries(tally.byStatus)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  const problems = [
    tally.unexpected > 0 ? `${tally.unexpected} unexpected` : "",
    tally.mismatched > 0 ? `${tally.mismatched} wrong body` : "",
  ].filter(Boolean);
  return `${statuses || "no answers"} (expect ${tally.expectStatus})${problems.length > 0 ? ` — ${problems.join(", ")}` : ""}`;
}

// The child: receives its options, fires, sends the figures back, and exits; it also exits if orphaned.
if (process.argv[2] === CHILD_FLAG && process.send) {
  let sent = false;
  process.once("disconnect", () => process.exit(sent ? 0 : 1));
  process.once("message", (options: LoadOptions) => {
    fire(options).then(
      (summary) =>
        process.send?.(summary, () => {
          sent = true;
        }),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
