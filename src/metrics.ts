// Prometheus metrics (prom-client), one registry per app so that tests and workers never share counters.
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface HookMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"decision" | "reason" | "request_type">;
  readonly authFailures: Counter<"reason">;
  readonly validationFailures: Counter<"kind">;
  readonly failures: Counter<"fail_mode">;
  readonly duration: Histogram<"operation" | "status">;
}

export function createMetrics({ processMetrics = false } = {}): HookMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    decisions: new Counter({
      name: "registration_hook_decisions_total",
      help: "Hook calls answered, by decision, deny reason and request type.",
      labelNames: ["decision", "reason", "request_type"],
      registers: [registry],
    }),
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
    duration: new Histogram({
      name: "registration_hook_request_duration_seconds",
      help: "Time to answer, by operation and status. Okta gives up after 3 seconds.",
      labelNames: ["operation", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
