// One log line and one duration observation per call, written when its answer is sent.
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { requestSummary } from "../logger.js";
import type { HookMetrics } from "../metrics.js";
import type { Call } from "./call.js";

/** Probes come every few seconds; their answers are in /metrics, not worth a log line each. */
const QUIET_OPERATIONS = new Set(["getHealth", "getReadiness", "getMetrics"]);

export type CallLog = (res: ServerResponse, call: Call, operation: string) => void;

export function createCallLog(logger: Logger, metrics: HookMetrics): CallLog {
  return (res, call, operation) => {
    const status = res.statusCode;
    const seconds = (performance.now() - call.startedAt) / 1000;
    metrics.observe(operation, status, seconds);
    if (status < 500 && QUIET_OPERATIONS.has(operation)) return;
    const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        ...call.log,
        req: requestSummary(call.id, call.request),
        res: { statusCode: status },
        responseTime: Math.round(seconds * 1e6) / 1e3,
      },
      call.message ?? (status >= 500 ? "request failed" : "request completed"),
    );
  };
}
