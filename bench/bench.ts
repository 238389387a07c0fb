// Bench: a short fixed run of Okta's published self-service registration sample against the real app on
// 127.0.0.1 — the figure to compare across versions. Fails only if a call fails.
// npm run bench
import { selfServiceRegistration } from "../test/support/fixtures.js";
import {
  formatCase,
  formatMemory,
  hookCase,
  round,
  runLoad,
  sampleMemory,
  startTarget,
  table,
} from "./load.js";

const DURATION_SECONDS = 10;
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;

const SAMPLE = [
  hookCase("self-service registration", selfServiceRegistration(), {
    status: 200,
    body: '"registration":"ALLOW"',
  }),
];

const target = await startTarget();
let exitCode = 1;
try {
  const before = await sampleMemory();
  // Lets the JIT settle so the measured run compares like with like.
  const warmup = await runLoad({
    url: target.url,
    durationSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    cases: SAMPLE,
  });
  const run = await runLoad({
    url: target.url,
    durationSeconds: DURATION_SECONDS,
    connections: CONNECTIONS,
    cases: SAMPLE,
  });
  const after = await sampleMemory();
  const failures = warmup.failures + run.failures;

  console.log(
    `bench: ${DURATION_SECONDS} s, ${CONNECTIONS} connections, after a ${WARMUP_SECONDS} s warm-up, node ${process.version}`,
  );
  console.log(
    table([
      ["requests/s", round(run.requestsPerSecond)],
      [
        "latency",
        `p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, max ${run.latencyMs.max} ms`,
      ],
      ["requests", `${run.answered} answered`],
      ["answers", run.cases.map(formatCase).join("; ")],
      ["failures", failures],
      ["memory before", formatMemory(before)],
      ["memory after", formatMemory(after)],
    ]),
  );
  console.log(
    JSON.stringify({
      kind: "bench",
      node: process.version,
      durationSeconds: DURATION_SECONDS,
      connections: CONNECTIONS,
      requests: run.answered,
      requestsPerSecond: round(run.requestsPerSecond),
      latencyMs: run.latencyMs,
      failures,
      memoryMB: { before, after },
    }),
  );
  exitCode = failures === 0 ? 0 : 1;
} finally {
  await target.close();
}
process.exitCode = exitCode;
