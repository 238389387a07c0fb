// The operation handlers, one per operationId in the spec; the type makes the map exhaustive.
import type { Logger } from "pino";
import type { HookMetrics } from "../metrics.js";
import type { RuntimeHolder } from "../runtime.js";
import { createGetMetrics, createGetReadiness, getHealth } from "./operations.js";
import { createRegistrationHook } from "./registrationHook.js";
import type { OperationHandlers } from "./types.js";

export function createHandlers(
  holder: RuntimeHolder,
  metrics: HookMetrics,
  logger: Logger,
): OperationHandlers {
  return {
    registrationHook: createRegistrationHook(metrics),
    getHealth,
    getReadiness: createGetReadiness(holder, logger),
    getMetrics: createGetMetrics(metrics),
  };
}
