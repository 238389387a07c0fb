// Builds the express app that serves the hook from the OpenAPI document; it never listens.
import { randomUUID } from "node:crypto";
import type { ErrorObject } from "ajv";
import ajvFormats from "ajv-formats";
import express, { type NextFunction, type Request, type Response } from "express";
import { type Context, OpenAPIBackend } from "openapi-backend";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import secureJson from "secure-json-parse";
import { createSecretVerifier } from "./auth/sharedSecret.js";
import type { Config } from "./config.js";
import { createHandlers } from "./handlers/index.js";
import { requestSummary } from "./logger.js";
import { type FieldError, type ProblemKey, sendProblem } from "./problems.js";
import { loadSpec } from "./spec.js";
import { describeValidationErrors } from "./validation.js";

/** Okta's requests are a few KiB; anything larger is refused before it is parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps {
  readonly logger: Logger;
}

type BodyOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ProblemKey; readonly detail: string };

const NO_BODY: BodyOutcome = { ok: true, value: undefined };

function isJsonMediaType(req: Request): boolean {
  return req.is(["application/json", "application/*+json"]) !== false;
}

/** Parses once; `__proto__` and `constructor.prototype` keys are dropped so they never reach the policy. */
function readBody(req: Request): BodyOutcome {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return NO_BODY;
  if (!isJsonMediaType(req)) {
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
  const type = (error as { type?: unknown } | null)?.type;
  switch (type) {
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

export async function createApp(config: Config, deps: AppDeps): Promise<express.Express> {
  const { logger } = deps;
  const verifySecret = createSecretVerifier(config.auth.secrets);
  const handlers = createHandlers(config);

  const api = new OpenAPIBackend({
    definition: loadSpec(),
    strict: true,
    quick: false,
    validate: true,
    customizeAjv: (ajv) => {
      ajvFormats.default(ajv);
      return ajv;
    },
    handlers: {
      ...handlers,
      validationFail: (c: Context, _req: Request, res: Response) => {
        const body = bodyOutcome(res);
        if (!body.ok) return sendProblem(res, body.problem, body.detail);
        const errors: FieldError[] = describeValidationErrors(
          (c.validation.errors ?? []) as ErrorObject[],
        );
        const fields = errors.map((e) => e.field).join(", ");
        res.locals.outcome = "invalid";
        return sendProblem(res, "invalidRequest", `Invalid request: ${fields}.`, errors);
      },
      unauthorizedHandler: (_c: Context, _req: Request, res: Response) => {
        res.locals.outcome = "unauthorized";
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
      notImplemented: (_c: Context, _req: Request, res: Response) =>
        sendProblem(res, "internalError", "The service could not handle the request."),
    },
    securityHandlers: {
      oktaSharedSecret: (c: Context) => verifySecret(c.request.headers[config.auth.header]),
    },
  });
  await api.init();

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
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    }),
  );
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
      sendProblem(res, known.key, known.detail);
      return;
    }
    req.log.error({ err: error }, "request failed");
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, "internalError", "The service could not handle the request.");
  });

  return app;
}
