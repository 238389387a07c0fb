// npm run bench: this service (built, every default feature on: validation, authentication, the
// decision log line, metrics, security headers) against a copy of Okta's own sample (express,
// express.json(), a substring check) and bare node:http answering the same JSON, side by side in one
// run, and the service again with a policy of the built-in lists and a 100,000-domain list of its
// own. Short windows alternate between the targets (A B C A B C ...) at 1, 16 and 64 connections;
// windows in which processes outside the benchmark took CPU are dropped. Prints requests per second,
// p50/p99 latency and CPU per request for each, the ratios to the sample, start-up time and memory.
// Memory: each target started afresh, RSS a second after it is ready, then after a 20 s load at
// 64 connections.
// npm run bench -- [--seconds <per window>] [--rounds <n>] [--quiet-cores <max>]
//   [--connections 1,16,64] [--memory-seconds <s>]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  evaluatePolicy,
  loadPolicyFile,
  policyFromAllowedDomains,
  serialiseAnswer,
} from "../src/policy/engine/index.js";
import { selfServiceRegistration } from "../test/support/fixtures.js";
import { BENCH_SECRET } from "./load.js";
import {
  type LoadRequest,
  median,
  runWindow,
  startTarget,
  type Target,
  type TargetSpec,
  type Window,
} from "./measure.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "4" },
    "quiet-cores": { type: "string", default: "0.15" },
    connections: { type: "string", default: "1,16,64" },
    "memory-seconds": { type: "string", default: "20" },
  },
  strict: true,
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const QUIET = Number(values["quiet-cores"]);
const MEMORY_SECONDS = Number(values["memory-seconds"]);
const CONNECTIONS = (values.connections ?? "").split(",").map(Number);
const MAX_EXTRA_ROUNDS = ROUNDS * 2;

const REQUEST: LoadRequest = {
  path: "/registrationHook",
  headers: { "content-type": "application/json", authorization: BENCH_SECRET },
  body: JSON.stringify(selfServiceRegistration()),
};

const SERVICE_ENV = {
  NODE_ENV: "production",
  HOOK_AUTH_SECRET: BENCH_SECRET,
  ALLOWED_DOMAINS: "example.com",
  LOG_LEVEL: "info",
};

/** The policy case: the built-in lists and a 100,000-domain list of the organisation's own. */
function writePolicyCase(): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-policy-"));
  const domains = Array.from({ length: 100_000 }, (_, i) => `blocked-${i.toString(36)}.example`);
  writeFileSync(join(dir, "blocked.txt"), `${domains.join("\n")}\n`);
  writeFileSync(
    join(dir, "policy.yaml"),
    [
      "default: deny",
      "lists:",
      "  blocked: { file: blocked.txt }",
      "rules:",
      "  - { id: staff, match: { domains: [example.com] }, action: allow }",
      "  - { id: blocked, match: { lists: [blocked] }, action: deny }",
      "  - { id: throwaway, match: { lists: [disposable] }, action: deny }",
      "  - { id: webmail, match: { lists: [free-webmail] }, action: deny, enforce: false }",
      "",
    ].join("\n"),
  );
  return join(dir, "policy.yaml");
}
const POLICY_FILE = writePolicyCase();

/** Decisions per second of the pure function, and of decision plus the answer's text. */
function decisionsPerSecond(): Record<string, { decide: number; decideAndAnswer: number }> {
  const request = selfServiceRegistration();
  const out: Record<string, { decide: number; decideAndAnswer: number }> = {};
  for (const [name, policy] of [
    ["allowlist", policyFromAllowedDomains(["example.com"])],
    ["policy", loadPolicyFile(POLICY_FILE)],
  ] as const) {
    const rate = (work: () => void) => {
      for (let i = 0; i < 20_000; i += 1) work();
      const started = performance.now();
      let n = 0;
      while (performance.now() - started < 1_000) {
        for (let i = 0; i < 1_000; i += 1) work();
        n += 1_000;
      }
      return Math.round(n / ((performance.now() - started) / 1000));
    };
    out[name] = {
      decide: rate(() => evaluatePolicy(request, policy)),
      decideAndAnswer: rate(() => serialiseAnswer(evaluatePolicy(request, policy), policy)),
    };
  }
  return out;
}

const SPECS: TargetSpec[] = [
  {
    name: "service",
    command: process.execPath,
    args: ["dist/server.js"],
    env: SERVICE_ENV,
    cwd: ROOT,
    readyPath: "/readyz",
  },
  {
    name: "service+policy",
    command: process.execPath,
    args: ["dist/server.js"],
    env: { ...SERVICE_ENV, ALLOWED_DOMAINS: "", POLICY_FILE },
    cwd: ROOT,
    readyPath: "/readyz",
  },
  {
    name: "okta-sample",
    command: process.execPath,
    args: ["bench/targets/okta-sample.mjs"],
    cwd: ROOT,
  },
  { name: "bare-http", command: process.execPath, args: ["bench/targets/bare.mjs"], cwd: ROOT },
];

const round1 = (n: number) => Math.round(n * 10) / 10;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

interface StartUp {
  /** Spawn to the first hook answer. */
  readonly firstAnswerMs: Record<string, number>;
  /** Spawn to readiness (every route served): this service's /readyz; the others at once. */
  readonly readyMs: Record<string, number>;
}

async function startUp(): Promise<StartUp> {
  const first: Record<string, number[]> = {};
  const ready: Record<string, number[]> = {};
  const record = (name: string, target: Target) => {
    first[name] = [...(first[name] ?? []), target.startMs];
    ready[name] = [...(ready[name] ?? []), target.readyMs];
  };
  for (let i = 0; i < 5; i += 1) {
    for (const spec of SPECS) {
      const target = await startTarget(spec, REQUEST);
      record(spec.name, target);
      await target.stop();
    }
    const npm = await startTarget(
      {
        name: "npm start",
        command: "npm",
        args: ["start", "--silent"],
        env: SERVICE_ENV,
        cwd: ROOT,
        readyPath: "/readyz",
      },
      REQUEST,
    );
    record("npm start", npm);
    await npm.stop();
  }
  const medians = (times: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
  return { firstAnswerMs: medians(first), readyMs: medians(ready) };
}

console.log(
  `bench: node ${process.version}, ${SECONDS} s windows, ${ROUNDS} rounds, windows kept when other processes used < ${QUIET} cores`,
);
const decisions = decisionsPerSecond();
const startMs = await startUp();
const targets: Target[] = [];
for (const spec of SPECS) targets.push(await startTarget(spec, REQUEST));

// Warm-up: the JIT settles before anything is kept.
for (const target of targets) await runWindow(target, REQUEST, 16, SECONDS);

const kept: Window[] = [];
let dropped = 0;
let failed = 0;
for (const connections of CONNECTIONS) {
  const count = () =>
    Math.min(
      ...targets.map(
        (t) => kept.filter((w) => w.target === t.name && w.connections === connections).length,
      ),
    );
  for (let round = 0; round < ROUNDS + MAX_EXTRA_ROUNDS; round += 1) {
    if (round >= ROUNDS && count() >= ROUNDS) break;
    // A B C, then B C A, ...: no target always runs right after the same one.
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
    for (const target of order) {
      const window = await runWindow(target, REQUEST, connections, SECONDS);
      failed += window.errors;
      if (window.othersCores <= QUIET) kept.push(window);
      else dropped += 1;
      if (process.env.BENCH_DEBUG)
        console.log(
          window.target,
          connections,
          window.othersCores.toFixed(2),
          Math.round(window.requestsPerSecond),
        );
    }
  }
}
for (const target of targets) await target.stop();

/** Each target afresh: RSS a second after ready, then after MEMORY_SECONDS at 64 connections. */
async function memory(): Promise<Record<string, { afterStart: number; afterLoad: number }>> {
  const out: Record<string, { afterStart: number; afterLoad: number }> = {};
  for (const spec of SPECS) {
    const target = await startTarget(spec, REQUEST);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const afterStart = target.rssMiB();
    const window = await runWindow(target, REQUEST, 64, MEMORY_SECONDS);
    failed += window.errors;
    out[spec.name] = { afterStart, afterLoad: target.rssMiB() };
    await target.stop();
  }
  return out;
}
const rss = await memory();

interface Summary {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly windows: number;
}

const summaries: Record<number, Record<string, Summary>> = {};
for (const connections of CONNECTIONS) {
  for (const target of targets) {
    const windows = kept.filter((w) => w.target === target.name && w.connections === connections);
    const requests = windows.reduce((sum, w) => sum + w.requests, 0);
    const cpu = windows.reduce((sum, w) => sum + w.cpuMicrosPerRequest * w.requests, 0);
    const row = summaries[connections] ?? {};
    summaries[connections] = row;
    row[target.name] = {
      requestsPerSecond: Math.round(median(windows.map((w) => w.requestsPerSecond))),
      p50: median(windows.map((w) => w.p50)),
      p99: median(windows.map((w) => w.p99)),
      cpuMicrosPerRequest: Math.round(requests > 0 ? cpu / requests : Number.NaN),
      windows: windows.length,
    };
  }
}

for (const connections of CONNECTIONS) {
  const row = summaries[connections] ?? {};
  const sample = row["okta-sample"];
  const rows = [
    [
      "target",
      "req/s",
      "p50 ms",
      "p99 ms",
      "CPU µs/req",
      "windows",
      "req/s vs sample",
      "CPU vs sample",
    ],
  ];
  for (const [name, s] of Object.entries(row)) {
    rows.push([
      name,
      String(s.requestsPerSecond),
      String(s.p50),
      String(s.p99),
      String(s.cpuMicrosPerRequest),
      String(s.windows),
      sample ? ratio(s.requestsPerSecond, sample.requestsPerSecond) : "",
      sample ? ratio(s.cpuMicrosPerRequest, sample.cpuMicrosPerRequest) : "",
    ]);
  }
  console.log(`\n${connections} connection${connections === 1 ? "" : "s"}`);
  console.log(pad(rows));
}
console.log(
  `\nspawn to first hook answer (median of 5): ${Object.entries(startMs.firstAnswerMs)
    .map(([n, ms]) => `${n} ${ms} ms`)
    .join(", ")}`,
);
console.log(
  `spawn to ready, every route served (median of 5): ${Object.entries(startMs.readyMs)
    .map(([n, ms]) => `${n} ${ms} ms`)
    .join(", ")}`,
);
console.log(
  `RSS (MiB) a second after ready -> after ${MEMORY_SECONDS} s at 64 connections (growth): ${Object.entries(
    rss,
  )
    .map(
      ([n, m]) =>
        `${n} ${round1(m.afterStart)} -> ${round1(m.afterLoad)} (+${round1(m.afterLoad - m.afterStart)})`,
    )
    .join(", ")}`,
);
console.log(
  `decisions/s of the pure function (evaluate; evaluate + answer text): ${Object.entries(decisions)
    .map(([n, d]) => `${n} ${d.decide}; ${d.decideAndAnswer}`)
    .join(" | ")}`,
);
console.log(`windows dropped for other processes' CPU: ${dropped}; failed requests: ${failed}`);
console.log(
  JSON.stringify({
    kind: "bench",
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    summaries,
    decisions,
    startMs,
    rss,
    dropped,
    failed,
  }),
);
process.exitCode = failed === 0 ? 0 : 1;
