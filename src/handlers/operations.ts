// GET /healthz, /readyz and /metrics: what the platform running the service asks of it.
import type { Logger } from "pino";
import { reply, replySerialised, send, serialise } from "../http/respond.js";
import type { HookMetrics } from "../metrics.js";
import type { RuntimeHolder } from "../runtime.js";
import type { ResponseBodyOf } from "../spec.js";
import type { OperationHandler } from "./types.js";

type Readiness = ResponseBodyOf<"getReadiness", 200>;

const HEALTHY = serialise<ResponseBodyOf<"getHealth", 200>>({ status: "ok" });

export const getHealth: OperationHandler<"getHealth"> = (_input, res, call) =>
  replySerialised(res, call, "getHealth", 200, HEALTHY);

export function createGetReadiness(
  holder: RuntimeHolder,
  logger: Logger,
): OperationHandler<"getReadiness"> {
  return (_input, res, call) => {
    const { auth } = holder.current;
    const checks: Readiness["checks"] = {
      config: "ok",
      keys: auth.keysState,
      shutdown: holder.isDraining ? "draining" : "ok",
    };
    // A pod without keys gets no traffic, so its probe is what asks for them again.
    if (checks.keys === "failing" && !holder.isDraining) {
      auth
        .refreshKeys()
        .catch((error: unknown) => logger.warn({ err: error }, "JWKS refresh failed"));
    }
    const ready = checks.keys !== "failing" && checks.shutdown === "ok";
    const body: Readiness = { status: ready ? "ready" : "not-ready", checks };
    if (ready) reply(res, call, "getReadiness", 200, body);
    else reply(res, call, "getReadiness", 503, body);
  };
}

export function createGetMetrics(metrics: HookMetrics): OperationHandler<"getMetrics"> {
  return async (_input, res, call) => {
    const text = await metrics.collect();
    send(res, call, 200, metrics.registry.contentType, text);
  };
}
