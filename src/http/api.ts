// openapi-backend, built once from the spec: it routes and validates every call, and runs the
// handlers and fallbacks with the call's state as their one extra argument.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorObject } from "ajv";
import ajvFormats from "ajv-formats";
import { type Context, type Document, OpenAPIBackend, type Request } from "openapi-backend";
import type { AuthOutcome } from "../auth/index.js";
import type { OperationHandlers } from "../handlers/types.js";
import type { OperationId } from "../spec.js";
import { readBody } from "./body.js";
import type { Call } from "./call.js";
import type { Fallbacks } from "./fallbacks.js";

export type RequestValidator = (
  headers: IncomingMessage["headers"],
  body: unknown,
) => readonly ErrorObject[] | undefined;

export interface HookApi {
  readonly backend: OpenAPIBackend;
  /** The general path: route, authenticate from the headers, read the body, validate, handle. */
  handle(req: IncomingMessage, res: ServerResponse, call: Call): Promise<string>;
  /**
   * openapi-backend's own compiled validators for an operation, called without its pipeline:
   * the same parameter object `validateRequest` builds, for an operation without parameters.
   */
  validatorFor(operationId: OperationId): RequestValidator;
  /** The methods a path takes, as an Allow header lists them. */
  allowed(path: string): string;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  return query === -1 ? raw : raw.slice(0, query);
}

/** The request openapi-backend sees. Query parameters are ignored: no operation takes any. */
function toRequest(req: IncomingMessage, body: unknown): Request {
  return {
    // HEAD is GET without the body, which node leaves out of the answer itself.
    method: req.method === "HEAD" ? "get" : (req.method ?? "get").toLowerCase(),
    path: pathOf(req.url),
    query: {},
    headers: req.headers as Request["headers"],
    body,
  };
}

/** What a security handler tells openapi-backend: an object with a truthy `error` fails the requirement. */
function securityResult(outcome: AuthOutcome | undefined): AuthOutcome | { error: string } | false {
  if (outcome === undefined) return false;
  return outcome.ok ? outcome : { error: outcome.reason, ...outcome };
}

type Adapted = (c: Context, req: IncomingMessage, res: ServerResponse, call: Call) => unknown;

export async function createApi(
  document: Document,
  handlers: OperationHandlers,
  fallbacks: Fallbacks,
): Promise<HookApi> {
  const operationHandlers: Record<string, Adapted> = {};
  for (const [id, handler] of Object.entries(handlers)) {
    operationHandlers[id] = (c, _req, res, call) =>
      (handler as (input: { body: unknown }, res: ServerResponse, call: Call) => unknown)(
        { body: c.request.requestBody },
        res,
        call,
      );
  }
  const allowByPath = new Map<string, string>();
  const backend = new OpenAPIBackend({
    definition: document,
    strict: true,
    // The document is checked by `npm run lint` and at generation; quick skips checking it again
    // at every start, and the validators are compiled below, once.
    quick: true,
    validate: true,
    customizeAjv: (ajv) => {
      ajvFormats.default(ajv);
      return ajv;
    },
    handlers: {
      ...operationHandlers,
      validationFail: ((c, _req, res, call) => {
        if (!call.body.ok) return fallbacks.body(res, call, call.body);
        return fallbacks.invalid(res, call, c.validation.errors ?? []);
      }) satisfies Adapted,
      unauthorizedHandler: ((_c, _req, res, call) =>
        fallbacks.unauthorized(res, call)) satisfies Adapted,
      notFound: ((_c, _req, res, call) => fallbacks.notFound(res, call)) satisfies Adapted,
      methodNotAllowed: ((c, req, res, call) =>
        fallbacks.methodNotAllowed(
          res,
          call,
          req.method ?? c.request.method.toUpperCase(),
          allowByPath.get(c.request.path) ?? "",
        )) satisfies Adapted,
      notImplemented: ((_c, _req, res, call) =>
        fallbacks.internal(res, call, false)) satisfies Adapted,
    },
    securityHandlers: {
      oktaSharedSecret: (_c: Context, _req: IncomingMessage, _res: ServerResponse, call: Call) =>
        call.runtime.auth.accepts("oktaSharedSecret") && securityResult(call.auth),
      oktaBearerToken: (_c: Context, _req: IncomingMessage, _res: ServerResponse, call: Call) =>
        call.runtime.auth.accepts("oktaBearerToken") && securityResult(call.auth),
    },
  });
  await backend.init();
  const operations = backend.router.getOperations();
  const operationById = new Map(operations.map((op) => [op.operationId ?? "", op]));
  for (const op of operations) {
    const methods = allowByPath.get(op.path)?.split(", ") ?? [];
    methods.push(op.method.toUpperCase());
    if (op.method === "get") methods.push("HEAD");
    allowByPath.set(op.path, methods.join(", "));
    // Compiled now rather than on the first call.
    backend.validator.getRequestValidatorsForOperation(op.operationId ?? "");
  }

  return {
    backend,
    async handle(req, res, call) {
      const request = toRequest(req, undefined);
      const operation = backend.router.matchOperation(request);
      if (operation?.security !== undefined && operation.security.length > 0) {
        call.auth = await call.runtime.auth.authenticate(req.headers);
      }
      // An unauthenticated call's body is never read, let alone parsed.
      if (operation?.requestBody !== undefined && (call.auth === undefined || call.auth.ok)) {
        call.body = await readBody(req);
        request.body = call.body.ok ? call.body.value : undefined;
      }
      await backend.handleRequest(request, req, res, call);
      return operation?.operationId ?? "unknown";
    },
    validatorFor(operationId) {
      const operation = operationById.get(operationId);
      if (operation === undefined || (operation.parameters ?? []).length > 0) {
        throw new Error(`${operationId} has parameters; validate it through handleRequest`);
      }
      const validators = backend.validator.getRequestValidatorsForOperation(operationId);
      const empty = Object.freeze({});
      return (headers, body) => {
        const mediaType = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
        const parameters: Record<string, unknown> = {
          path: empty,
          query: empty,
          header: headers,
          cookie: empty,
        };
        // openapi-backend's rule for when the body takes part in validation.
        if (typeof body === "object" || mediaType === "application/json")
          parameters.requestBody = body;
        let errors: ErrorObject[] | undefined;
        for (const validate of validators) {
          validate(parameters);
          if (validate.errors) errors = [...(errors ?? []), ...validate.errors];
        }
        return errors;
      };
    },
    allowed: (path) => allowByPath.get(path) ?? "",
  };
}
