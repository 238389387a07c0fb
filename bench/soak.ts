// Soak: the real app on 127.0.0.1 under a bounded, mixed load of the calls Okta makes (and some it should
// not), then an attack phase beside a legitimate load (clients that never read, pipelined floods,
// corrupt compressed bodies, unauthenticated deep bodies), then a verdict: no failed legitimate call,
// a bounded p99, no heap growth beyond a bound, and RSS growth under attack within a bound.
// npm run soak -- [--duration <seconds>] [--connections <n>] [--attack <seconds>]
import { parseArgs } from "node:util";
import {
  classicRegistration,
  progressiveProfile,
  selfServiceRegistration,
} from "../test/support/fixtures.js";
import { runAttack } from "./attack.js";
import {
  formatCase,
  formatMemory,
  hookCase,
  type LoadCase,
  type MemorySample,
  round,
  runLoad,
  sampleMemory,
  startTarget,
  table,
  WRONG_SECRET,
} from "./load.js";

const MAX_HEAP_GROWTH_MB = 50;
const MAX_ATTACK_RSS_GROWTH_MB = 50;
const MAX_P99_MS = 250;
const MAX_DURATION_SECONDS = 3600;
const MAX_CONNECTIONS = 1000;

function positiveInteger(name: string, raw: string | undefined, fallback: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    connections: { type: "string" },
    attack: { type: "string" },
  },
  strict: true,
});
const durationSeconds = positiveInteger("duration", values.duration, 20, MAX_DURATION_SECONDS);
const connections = positiveInteger("connections", values.connections, 50, MAX_CONNECTIONS);
const warmupSeconds = Math.min(3, Math.max(1, Math.floor(durationSeconds / 5)));
const attackSeconds = positiveInteger("attack", values.attack, 10, MAX_DURATION_SECONDS);

const ALLOW = '"registration":"ALLOW"';
const otherDomain = "rosario.jones@elsewhere.test";

/** Mostly good calls, as Okta sends them, with a share of refusals and garbage. */
const MIX: LoadCase[] = [
  hookCase("allowed registration", selfServiceRegistration(), {
    status: 200,
    body: ALLOW,
    weight: 4,
  }),
  hookCase(
    "denied registration",
    selfServiceRegistration({ email: otherDomain, login: otherDomain }),
    { status: 200, body: '"registration":"DENY"', weight: 2 },
  ),
  hookCase("progressive profile", progressiveProfile(), { status: 200, body: ALLOW, weight: 2 }),
  hookCase("classic registration", classicRegistration(), { status: 200, body: ALLOW }),
  hookCase("malformed JSON", '{"eventType":"com.okta.user.pre-registration","data":{', {
    status: 400,
    body: "malformed-json",
  }),
  hookCase("wrong secret", selfServiceRegistration(), {
    status: 401,
    body: "unauthorized",
    secret: WRONG_SECRET,
  }),
];

const target = await startTarget();
let exitCode = 1;
try {
  const before = await sampleMemory();
  const warmup = await runLoad({
    url: target.url,
    durationSeconds: warmupSeconds,
    connections,
    cases: MIX,
  });
  const warm = await sampleMemory();
  const load = await runLoad({ url: target.url, durationSeconds, connections, cases: MIX });
  const after = await sampleMemory();
  // The attack, beside the calls Okta would make.
  const legitimate = MIX.filter((c) => c.expectStatus === 200);
  const [attacked, attack] = await Promise.all([
    runLoad({
      url: target.url,
      durationSeconds: attackSeconds,
      connections: 16,
      cases: legitimate,
    }),
    runAttack({ url: target.url, durationSeconds: attackSeconds }),
  ]);
  const underAttack = await sampleMemory();
  const attackRssGrowthMB = round(underAttack.rssMB - after.rssMB);

  const heapGrowthMB = round(after.heapUsedMB - warm.heapUsedMB);
  const problems = [
    warmup.failures + load.failures > 0
      ? `${warmup.failures + load.failures} failed calls (unexpected status, 5xx, wrong body, timeout or socket error)`
      : "",
    heapGrowthMB > MAX_HEAP_GROWTH_MB
      ? `heap grew ${heapGrowthMB} MB over the run (bound ${MAX_HEAP_GROWTH_MB} MB)`
      : "",
    load.latencyMs.p99 > MAX_P99_MS ? `p99 ${load.latencyMs.p99} ms (bound ${MAX_P99_MS} ms)` : "",
    attacked.failures > 0 ? `${attacked.failures} legitimate calls failed under attack` : "",
    attackRssGrowthMB > MAX_ATTACK_RSS_GROWTH_MB
      ? `RSS grew ${attackRssGrowthMB} MB under attack (bound ${MAX_ATTACK_RSS_GROWTH_MB} MB)`
      : "",
  ].filter(Boolean);
  const memoryRow = (label: string, sample: MemorySample) => [label, formatMemory(sample)] as const;

  console.log(
    `soak: ${durationSeconds} s, ${connections} connections, after a ${warmupSeconds} s warm-up, on ${target.url}`,
  );
  console.log(
    table([
      ["requests", `${load.answered} answered (${load.sent} sent)`],
      ["requests/s", round(load.requestsPerSecond)],
      [
        "latency",
        `p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, max ${load.latencyMs.max} ms`,
      ],
      [
        "non-2xx",
        `${load.non2xx}: ${load.non2xxExpected} expected, ${load.non2xx - load.non2xxExpected} unexpected`,
      ],
      ["5xx", load.status5xx],
      ["wrong bodies", load.mismatched],
      ["errors", `${load.errors} (${load.timeouts} timeouts)`],
      ...load.cases.map((c) => [`  ${c.name}`, formatCase(c)] as const),
      memoryRow("memory before", before),
      memoryRow("memory warm", warm),
      memoryRow("memory after", after),
      ["heap growth", `${heapGrowthMB} MB (bound ${MAX_HEAP_GROWTH_MB} MB)`],
      [
        `attack, ${attackSeconds} s`,
        `${attack.connections} hostile connections, ${attack.requestsWritten} hostile requests written`,
      ],
      [
        "  legitimate calls",
        `${attacked.answered} answered, ${attacked.failures} failed, p50 ${attacked.latencyMs.p50} ms, p99 ${attacked.latencyMs.p99} ms`,
      ],
      memoryRow("  memory after attack", underAttack),
      ["  RSS growth", `${attackRssGrowthMB} MB (bound ${MAX_ATTACK_RSS_GROWTH_MB} MB)`],
      ["verdict", problems.length === 0 ? "PASS" : `FAIL: ${problems.join("; ")}`],
    ]),
  );
  console.log(
    JSON.stringify({
      kind: "soak",
      durationSeconds,
      connections,
      warmupSeconds,
      requests: load.answered,
      sent: load.sent,
      requestsPerSecond: round(load.requestsPerSecond),
      latencyMs: load.latencyMs,
      non2xx: load.non2xx,
      non2xxExpected: load.non2xxExpected,
      unexpected: load.unexpected,
      mismatched: load.mismatched,
      status5xx: load.status5xx,
      errors: load.errors,
      timeouts: load.timeouts,
      failures: load.failures,
      warmupFailures: warmup.failures,
      cases: load.cases,
      memoryMB: { before, warm, after },
      heapGrowthMB,
      attack: {
        seconds: attackSeconds,
        ...attack,
        legitimate: {
          answered: attacked.answered,
          failures: attacked.failures,
          latencyMs: attacked.latencyMs,
        },
        memoryMB: underAttack,
        rssGrowthMB: attackRssGrowthMB,
      },
      bounds: {
        maxHeapGrowthMB: MAX_HEAP_GROWTH_MB,
        maxP99Ms: MAX_P99_MS,
        maxAttackRssGrowthMB: MAX_ATTACK_RSS_GROWTH_MB,
      },
      pass: problems.length === 0,
    }),
  );
  exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await target.close();
}
process.exitCode = exitCode;
