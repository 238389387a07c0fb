// Builds the express app that serves the hook from the OpenAPI document; it never listens.
import { randomUUID } from "node:crypto";
import type { ErrorObject } from "ajv";
import ajvFormats from "ajv-formats";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { type Context, OpenAPIBackend } from "openapi-backend";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import secureJson from "secure-json-parse";
import type { AuthOutcome } from "./auth/index.js";
import type { KeySourceOptions } from "./auth/oauth.js";
import type { Config } from "./config.js";
import { createDocsRouter } from "./docs/index.js";
import { createHandlers } from "./handlers/index.js";
import { describeValidationErrors } from "./http/fieldErrors.js";
import { type FieldError, type ProblemKey, sendProblem } from "./http/problems.js";
import { requestSummary } from "./logger.js";
import { createMetrics, type HookMetrics } from "./metrics.js";
import { createRuntime, RuntimeHolder, runtimeOf } from "./runtime.js";
import { loadSpec } from "./spec.js";

/** Okta's requests are a few KiB; anything larger is refused before it is parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const HOOK_PATH = "/registrationHook";
const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

export interface AppDeps {
  readonly logger: Logger;
  /** Defaults to a fresh registry without process metrics. */
  readonly metrics?: HookMetrics;
  /** Tuning of the JWKS cache (tests shorten the intervals). */
  readonly keyOptions?: KeySourceOptions;
}

export interface HookApp extends express.Express {
  /** Swaps in a new configuration; calls in flight finish on the one they started with. */
  reload(config: Config): Promise<void>;
  /** Marks the service as shutting down: readiness fails, calls in flight still finish. */
  drain(): void;
  readonly metrics: HookMetrics;
}

type BodyOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ProblemKey; readonly detail: string };

const NO_BODY: BodyOutcome = { ok: true, value: undefined };

/** Parses once; `__proto__` and `constructor.prototype` keys are dropped so they never reach the policy. */
function readBody(req: Request): BodyOutcome {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return NO_BODY;
  if (req.is(["application/json", "application/*+json"]) === false) {
    return {
      ok: false,
      problem: "unsupportedMediaType",
      detail: "Send the body as application/json.",
    };
  }
  try {
    return {
      ok: true,
      value: secureJson.parse(raw, undefined, {
        protoAction: "remove",
        constructorAction: "remove",
      }),
    };
  } catch {
    return {
      ok: false,
      problem: "malformedJson",
      detail: "The request body could not be parsed as JSON.",
    };
  }
}

function bodyOutcome(res: Response): BodyOutcome {
  return (res.locals.body as BodyOutcome | undefined) ?? NO_BODY;
}

/** Maps body-parser's own errors (raised while reading the body) onto the problem registry. */
function readErrorProblem(error: unknown): { key: ProblemKey; detail: string } | undefined {
  switch ((error as { type?: unknown } | null)?.type) {
    case "entity.too.large":
      return {
        key: "payloadTooLarge",
        detail: `The body must not exceed ${BODY_LIMIT_BYTES} bytes.`,
      };
    case "encoding.unsupported":
    case "charset.unsupported":
      return {
        key: "unsupportedMediaType",
        detail: "The body's encoding or charset is not supported.",
      };
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return { key: "malformedJson", detail: "The request body could not be read." };
    default:
      return undefined;
  }
}

/** The outcomes the security handlers returned for this request (a scheme not in use returns none). */
function authOutcomes(c: Context): AuthOutcome[] {
  return Object.values(c.security ?? {}).filter(
    (r): r is AuthOutcome => typeof r === "object" && r !== null && "ok" in r,
  );
}

export async function createApp(config: Config, deps: AppDeps): Promise<HookApp> {
  const { logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const holder = new RuntimeHolder(await createRuntime(config, logger, deps.keyOptions));
  const document = loadSpec();
  /** FAIL_MODE: closed answers 500 (Okta retries once, then denies); open answers 204 (registration proceeds). */
  function answerInternalFailure(req: Request, res: Response, detail: string): void {
    const { failMode } = runtimeOf(res, holder).config;
    metrics.failures.inc({ fail_mode: failMode });
    if (failMode === "open" && req.path === HOOK_PATH && !res.headersSent) {
      res.status(204).end();
      return;
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, "internalError", detail);
  }

  const authenticateAs =
    (scheme: "oktaSharedSecret" | "oktaBearerToken") =>
    async (c: Context, _req: Request, res: Response): Promise<AuthOutcome | false> => {
      const { auth } = runtimeOf(res, holder);
      if (!auth.accepts(scheme)) return false;
      const outcome = await auth.authenticate(c.request.headers);
      // openapi-backend treats an object with a truthy `error` as a failed requirement.
      return outcome.ok ? outcome : Object.assign({ error: outcome.reason }, outcome);
    };

  const api = new OpenAPIBackend({
    definition: document,
    strict: true,
    quick: false,
    validate: true,
    customizeAjv: (ajv) => {
      ajvFormats.default(ajv);
      return ajv;
    },
    handlers: {
      ...createHandlers(holder, metrics),
      validationFail: (c: Context, _req: Request, res: Response) => {
        const body = bodyOutcome(res);
        if (!body.ok) {
          metrics.validationFailures.inc({ kind: body.problem });
          return sendProblem(res, body.problem, body.detail);
        }
        metrics.validationFailures.inc({ kind: "invalidRequest" });
        const errors: FieldError[] = describeValidationErrors(
          (c.validation.errors ?? []) as ErrorObject[],
        );
        return sendProblem(
          res,
          "invalidRequest",
          `Invalid request: ${errors.map((e) => e.field).join(", ")}.`,
          errors,
        );
      },
      unauthorizedHandler: (c: Context, req: Request, res: Response) => {
        const failed = authOutcomes(c).find((o) => !o.ok);
        const reason = failed && !failed.ok ? failed.reason : "missing";
        if (reason === "keys-unavailable") {
          req.log.error("cannot verify the bearer token: no signing keys from the JWKS endpoint");
          return answerInternalFailure(
            req,
            res,
            "The service cannot verify credentials right now.",
          );
        }
        metrics.authFailures.inc({ reason });
        req.log.warn({ reason }, "authentication failed");
        if (runtimeOf(res, holder).auth.mode === "oauth") {
          // RFC 6750 section 3.1: a request without credentials gets the challenge without an error code.
          res.setHeader(
            "www-authenticate",
            reason === "missing" ? "Bearer" : 'Bearer error="invalid_token"',
          );
        }
        return sendProblem(res, "unauthorized", "The authentication header is missing or wrong.");
      },
      notFound: (_c: Context, _req: Request, res: Response) =>
        sendProblem(res, "notFound", "No operation at this path."),
      methodNotAllowed: (c: Context, _req: Request, res: Response) =>
        sendProblem(
          res,
          "methodNotAllowed",
          `${c.request.method.toUpperCase()} is not allowed here.`,
        ),
      notImplemented: (_c: Context, req: Request, res: Response) =>
        answerInternalFailure(req, res, "The service could not handle the request."),
    },
    securityHandlers: {
      oktaSharedSecret: authenticateAs("oktaSharedSecret"),
      oktaBearerToken: authenticateAs("oktaBearerToken"),
    },
  });
  await api.init();
  const operationByPath = new Map(
    api.router.getOperations().map((op) => [op.path, op.operationId ?? op.path]),
  );

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => {
        const id = randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      serializers: {
        req: requestSummary,
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Probes come every few seconds; their answers are in /metrics, not worth a log line each.
      autoLogging: { ignore: (req) => PROBE_PATHS.has((req.url ?? "").split("?")[0] ?? "") },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.duration.startTimer({
      operation: operationByPath.get(req.path) ?? "unknown",
    });
    res.once("finish", () => end({ status: String(res.statusCode) }));
    res.setHeader("cache-control", "no-store");
    holder.pin(res);
    next();
  });

  // The API answers JSON only: the strictest policy. The reference page gets one that lets it run.
  const apiHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });
  const docsHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  app.use((req, res, next) =>
    (req.path === "/docs" || req.path.startsWith("/docs/") ? docsHeaders : apiHeaders)(
      req,
      res,
      next,
    ),
  );
  // openapi-backend dereferences the document it is given, so the published one is read afresh.
  app.use(createDocsRouter(loadSpec()));

  app.use(express.raw({ type: () => true, limit: BODY_LIMIT_BYTES }));
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = readBody(req);
      res.locals.body = body;
      await api.handleRequest(
        {
          method: req.method,
          path: req.path,
          query: req.query as Record<string, string | string[]>,
          headers: req.headers as Record<string, string | string[]>,
          body: body.ok ? body.value : undefined,
        },
        req,
        res,
      );
    } catch (error) {
      next(error);
    }
  });

  // Express recognises an error handler by its four parameters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = readErrorProblem(error);
    if (known) {
      metrics.validationFailures.inc({ kind: known.key });
      sendProblem(res, known.key, known.detail);
      return;
    }
    req.log.error({ err: error }, "request failed");
    answerInternalFailure(req, res, "The service could not handle the request.");
  });

  return Object.assign(app, {
    metrics,
    reload: async (next: Config) => {
      const runtime = await createRuntime(next, logger, deps.keyOptions);
      // Never trade signing keys in hand for none: during a JWKS outage the running configuration stays.
      if (runtime.auth.keysState === "failing" && holder.current.auth.keysState === "ok") {
        runtime.auth.stop();
        throw new Error("the new configuration's signing keys could not be fetched");
      }
      holder.replace(runtime);
    },
    drain: () => holder.drain(),
  });
}
