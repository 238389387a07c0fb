// Builds the service's request listener from the OpenAPI document; it never listens. Read top to
// bottom, this is the order a request meets things in.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import express from "express";
import type { Logger } from "pino";
import type { KeySourceOptions } from "./auth/oauth.js";
import type { Config } from "./config/index.js";
import { createDocsRouter } from "./docs/index.js";
import { createHandlers } from "./handlers/index.js";
import { createApi } from "./http/api.js";
import { startCall } from "./http/call.js";
import { createCallLog } from "./http/callLog.js";
import { createFallbacks } from "./http/fallbacks.js";
import { apiHeaders, docsHeaders } from "./http/headers.js";
import { createHookPath, isHookCall } from "./http/hookPath.js";
import { precompiledValidator } from "./http/validation.js";
import { createMetrics, type HookMetrics } from "./metrics.js";
import { createRuntime, RuntimeHolder } from "./runtime.js";
import { loadSpec } from "./spec.js";

export interface AppDeps {
  readonly logger: Logger;
  /** Defaults to a fresh registry without process metrics. */
  readonly metrics?: HookMetrics;
  /** Tuning of the JWKS cache (tests shorten the intervals). */
  readonly keyOptions?: KeySourceOptions;
  /**
   * False sends POST /registrationHook through openapi-backend's general pipeline like every
   * other request; the tests use it to prove both paths answer alike.
   */
  readonly fastPath?: boolean;
}

export interface HookApp extends RequestListener {
  /** Swaps in a new configuration; calls in flight finish on the one they started with. */
  reload(config: Config): Promise<void>;
  /** Marks the service as shutting down: readiness fails, calls in flight still finish. */
  drain(): void;
  readonly metrics: HookMetrics;
}

export async function createApp(config: Config, deps: AppDeps): Promise<HookApp> {
  const { logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const holder = new RuntimeHolder(await createRuntime(config, logger, deps.keyOptions));
  metrics.describePolicy(config.policy.version, [...config.policy.lists.values()]);
  const fallbacks = createFallbacks(metrics);
  const handlers = createHandlers(holder, metrics, logger);
  const api = await createApi(loadSpec(), handlers, fallbacks);
  const callLog = createCallLog(logger, metrics);

  // 1. The hot path: POST /registrationHook, in front of express.
  const hook = createHookPath(
    handlers.registrationHook,
    precompiledValidator("registrationHook"),
    fallbacks,
  );

  // 2. Everything else through express: the published contract, then openapi-backend.
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (config.docs) {
    app.use("/docs", docsHeaders);
    app.use(["/openapi.json", "/openapi.yaml"], apiHeaders);
    // openapi-backend dereferences the document it is given, so the published one is read afresh.
    app.use(createDocsRouter(loadSpec()));
  }
  app.use((req, res) => {
    const call = startCall(holder.current, req);
    api.handle(req, res, call).then(
      (operation) => callLog(res, call, operation),
      (error: unknown) => {
        fallbacks.internal(res, call, isHookCall(req), error);
        callLog(res, call, "unknown");
      },
    );
  });

  // Express recognises an error handler by its four parameters; nothing of the error is sent.
  app.use((error: unknown, req: IncomingMessage, res: ServerResponse, _next: unknown) => {
    const call = startCall(holder.current, req);
    fallbacks.internal(res, call, false, error);
    callLog(res, call, "unknown");
  });

  const fastPath = deps.fastPath ?? true;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath || !isHookCall(req)) {
      app(req, res);
      return;
    }
    const call = startCall(holder.current, req);
    hook(req, res, call).then(
      () => callLog(res, call, "registrationHook"),
      (error: unknown) => {
        fallbacks.internal(res, call, true, error);
        callLog(res, call, "registrationHook");
      },
    );
  };

  return Object.assign(listener, {
    metrics,
    reload: async (next: Config) => {
      const runtime = await createRuntime(next, logger, deps.keyOptions);
      // Never trade a working configuration for one that cannot verify a call: a new OAuth
      // configuration whose keys cannot be fetched is refused, whatever the running mode.
      if (runtime.auth.keysState === "failing" && holder.current.auth.keysState !== "failing") {
        runtime.auth.stop();
        throw new Error("the new configuration's signing keys could not be fetched");
      }
      holder.replace(runtime);
      metrics.describePolicy(next.policy.version, [...next.policy.lists.values()]);
    },
    drain: () => holder.drain(),
  });
}
