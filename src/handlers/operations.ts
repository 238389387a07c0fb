// GET /healthz, /readyz and /metrics: what the platform running the service asks of it.
import type { HookMetrics } from "../metrics.js";
import type { RuntimeHolder } from "../runtime.js";
import type { ResponseBodyOf } from "../spec.js";
import type { OperationHandler } from "./types.js";

type Readiness = ResponseBodyOf<"getReadiness", 200>;

const HEALTHY = JSON.stringify({ status: "ok" } satisfies ResponseBodyOf<"getHealth", 200>);

export const getHealth: OperationHandler<"getHealth"> = (_c, _req, res) =>
  res.status(200).type("application/json").send(HEALTHY);

export function createGetReadiness(holder: RuntimeHolder): OperationHandler<"getReadiness"> {
  return (_c, _req, res) => {
    const checks: Readiness["checks"] = {
      config: "ok",
      keys: holder.current.auth.keysState,
      shutdown: holder.isDraining ? "draining" : "ok",
    };
    const ready = checks.keys !== "failing" && checks.shutdown === "ok";
    const body: Readiness = { status: ready ? "ready" : "not-ready", checks };
    return res
      .status(ready ? 200 : 503)
      .type("application/json")
      .send(JSON.stringify(body));
  };
}

export function createGetMetrics(metrics: HookMetrics): OperationHandler<"getMetrics"> {
  return async (_c, _req, res) => {
    const text = await metrics.registry.metrics();
    return res.status(200).type(metrics.registry.contentType).send(text);
  };
}
