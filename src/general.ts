// The general path: every request but POST /registrationHook on the hot path, through express (the
// published contract) and then openapi-backend, which routes and validates it from the spec.
// app.ts loads this module once the service listens, so that express, openapi-backend and the
// documents never stand between a start and its first hook answer.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import express from "express";
import { createDocsRouter } from "./docs/index.js";
import type { OperationHandlers } from "./handlers/types.js";
import { createApi } from "./http/api.js";
import { startCall } from "./http/call.js";
import type { CallLog } from "./http/callLog.js";
import type { Fallbacks } from "./http/fallbacks.js";
import { apiHeaders, docsHeaders } from "./http/headers.js";
import { isHookCall } from "./http/hookPath.js";
import type { RuntimeHolder } from "./runtime.js";
import { loadSpec } from "./spec.js";

export interface GeneralDeps {
  readonly docs: boolean;
  readonly holder: RuntimeHolder;
  readonly handlers: OperationHandlers;
  readonly fallbacks: Fallbacks;
  readonly callLog: CallLog;
}

export async function createGeneralPath(deps: GeneralDeps): Promise<RequestListener> {
  const { holder, fallbacks, callLog } = deps;
  const api = await createApi(loadSpec(), deps.handlers, fallbacks);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (deps.docs) {
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
  return app;
}
