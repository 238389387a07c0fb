// Prometheus metrics (prom-client), one registry per app so that tests and workers never share counters.
// Label sets are bound once and kept, so a call costs a map lookup and an increment.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface HookMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"decision" | "reason" | "request_type">;
  readonly authFailures: Counter<"reason">;
  readonly validationFailures: Counter<"kind">;
  readonly failures: Counter<"fail_mode">;
  readonly duration: Histogram<"operation" | "status">;
  readonly reportOnly: Counter<"rule" | "reason">;
  readonly reloadFailures: Counter<"reason">;
  /** The running policy's version and lists, replaced on every reload. */
  describePolicy(
    version: string,
    lists: readonly { name: string; source: string; size: number }[],
  ): void;
  reportedOnly(rule: string, reason: string): void;
  decided(decision: string, reason: string, requestType: string): void;
  observe(operation: string, status: number, seconds: number): void;
  /** The text a scrape gets: this process's metrics, or with WORKERS > 1 every worker's. */
  collect(): Promise<string>;
}

export interface MetricsOptions {
  readonly processMetrics?: boolean;
  /** Replaces `collect` (the cluster aggregation of the server). */
  readonly collect?: (registry: Registry) => Promise<string>;
}

/** Caches `labels(...)` children by their joined values; the label sets are few and bounded. */
function bound<T>(make: (key: string[]) => T): (...values: string[]) => T {
  const cache = new Map<string, T>();
  return (...values) => {
    const key = values.join("\u0000");
    let child = cache.get(key);
    if (child === undefined) {
      child = make(values);
      cache.set(key, child);
    }
    return child;
  };
}

export function createMetrics(options: MetricsOptions = {}): HookMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const decisions = new Counter({
    name: "registration_hook_decisions_total",
    help: "Hook calls answered, by decision, deny reason and request type.",
    labelNames: ["decision", "reason", "request_type"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "registration_hook_request_duration_seconds",
    help: "Time to answer, by operation and status. Okta gives up after 3 seconds.",
    labelNames: ["operation", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const decisionChild = bound(([decision = "", reason = "", request_type = ""]) =>
    decisions.labels({ decision, reason, request_type }),
  );
  const reportOnly = new Counter({
    name: "registration_hook_report_only_total",
    help: "What report-only rules (enforce: false, or mode: report) would have done, by rule and reason.",
    labelNames: ["rule", "reason"] as const,
    registers: [registry],
  });
  const reportChild = bound(([rule = "", reason = ""]) => reportOnly.labels({ rule, reason }));
  const policyInfo = new Gauge({
    name: "registration_hook_policy_info",
    help: "The running policy: 1 for its version.",
    labelNames: ["version"] as const,
    registers: [registry],
  });
  const listSize = new Gauge({
    name: "registration_hook_policy_list_domains",
    help: "Domains in each list the running policy uses, by list and source (package@version or file).",
    labelNames: ["list", "source"] as const,
    registers: [registry],
  });
  const durationChild = bound(([operation = "", status = ""]) =>
    duration.labels({ operation, status }),
  );
  return {
    registry,
    decisions,
    authFailures: new Counter({
      name: "registration_hook_auth_failures_total",
      help: "Calls refused for authentication, by reason.",
      labelNames: ["reason"],
      registers: [registry],
    }),
    validationFailures: new Counter({
      name: "registration_hook_validation_failures_total",
      help: "Calls refused before the policy ran: invalid request, malformed JSON, wrong media type, too large.",
      labelNames: ["kind"],
      registers: [registry],
    }),
    failures: new Counter({
      name: "registration_hook_internal_failures_total",
      help: "Internal failures, by the fail mode that answered them.",
      labelNames: ["fail_mode"],
      registers: [registry],
    }),
    duration,
    reportOnly,
    reloadFailures: new Counter({
      name: "registration_hook_reload_failures_total",
      help: "Reloads refused (the running configuration and policy stay), by reason.",
      labelNames: ["reason"],
      registers: [registry],
    }),
    describePolicy: (version, lists) => {
      policyInfo.reset();
      policyInfo.set({ version }, 1);
      listSize.reset();
      for (const list of lists) listSize.set({ list: list.name, source: list.source }, list.size);
    },
    reportedOnly: (rule, reason) => reportChild(rule, reason).inc(),
    decided: (decision, reason, requestType) => decisionChild(decision, reason, requestType).inc(),
    observe: (operation, status, seconds) =>
      durationChild(operation, String(status)).observe(seconds),
    collect: () => (options.collect ? options.collect(registry) : registry.metrics()),
  };
}
