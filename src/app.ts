// Builds the service's request listener; it never listens. Read top to bottom, this is the order a
// request meets things in: POST /registrationHook on the hot path, everything else on the general
// path (express, then openapi-backend), which is loaded on first need or when warm() is called.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { KeySourceOptions } from "./auth/oauth.js";
import type { Config } from "./config/index.js";
import { createHandlers } from "./handlers/index.js";
import { startCall } from "./http/call.js";
import { createCallLog } from "./http/callLog.js";
import { createFallbacks } from "./http/fallbacks.js";
import { createHookPath, isHookCall } from "./http/hookPath.js";
import { precompiledValidator } from "./http/validation.js";
import { createMetrics, type HookMetrics } from "./metrics.js";
import { createRuntime, RuntimeHolder } from "./runtime.js";

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
  /**
   * Loads the general path (express, openapi-backend, the documents) now rather than on the first
   * request that needs it; the service calls it once it listens. Rejects if it cannot be built.
   */
  warm(): Promise<void>;
  readonly metrics: HookMetrics;
}

export async function createApp(config: Config, deps: AppDeps): Promise<HookApp> {
  const { logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const holder = new RuntimeHolder(await createRuntime(config, logger, deps.keyOptions));
  metrics.describePolicy(config.policy.version, [...config.policy.lists.values()]);
  const fallbacks = createFallbacks(metrics);
  const handlers = createHandlers(holder, metrics, logger);
  const callLog = createCallLog(logger, metrics);

  // 1. The hot path: POST /registrationHook, validated by the spec's precompiled validators.
  const hook = createHookPath(
    handlers.registrationHook,
    precompiledValidator("registrationHook"),
    fallbacks,
  );

  // 2. Everything else: the general path, loaded once.
  let general: Promise<RequestListener> | undefined;
  const loadGeneral = () => {
    general ??= import("./general.js").then((module) =>
      module.createGeneralPath({ docs: config.docs, holder, handlers, fallbacks, callLog }),
    );
    return general;
  };
  const viaGeneral = (req: IncomingMessage, res: ServerResponse) => {
    loadGeneral().then(
      (app) => app(req, res),
      (error: unknown) => {
        const call = startCall(holder.current, req);
        fallbacks.internal(res, call, isHookCall(req), error);
        callLog(res, call, "unknown");
      },
    );
  };

  const fastPath = deps.fastPath ?? true;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath || !isHookCall(req)) {
      viaGeneral(req, res);
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
    warm: async () => {
      await loadGeneral();
    },
  });
}
