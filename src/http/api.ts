// openapi-backend, built once from the spec: it routes and validates every call, and runs the
// handlers and fallbacks with the call's state as their one extra argument.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import { type Context, type Document, OpenAPIBackend, type Request } from "openapi-backend";
import type { AuthOutcome } from "../auth/index.js";
import type { OperationHandlers } from "../handlers/types.js";
import { readBody } from "./body.js";
import type { Call } from "./call.js";
import type { Fallbacks } from "./fallbacks.js";

/**
 * The options that decide what openapi-backend's validators are; scripts/generate.ts compiles the
 * same validators to code with them (generated/validators.cjs), for the hot path.
 */
export const VALIDATION = {
  strict: true,
  customizeAjv: (ajv: Ajv) => {
    ajvFormats.default(ajv);
    return ajv;
  },
} as const;

export interface HookApi {
  readonly backend: OpenAPIBackend;
  /** The general path: route, authenticate from the headers, read the body, validate, handle. */
  handle(req: IncomingMessage, res: ServerResponse, call: Call): Promise<string>;
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
    ...VALIDATION,
    // The document is checked by `npm run lint` and at generation; quick skips checking it again
    // at every start, and compiles an operation's validators on its first call (POST
    // /registrationHook's are precompiled, for the hot path: generated/validators.cjs).
    quick: true,
    validate: true,
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
  for (const op of operations) {
    const methods = allowByPath.get(op.path)?.split(", ") ?? [];
    methods.push(op.method.toUpperCase());
    if (op.method === "get") methods.push("HEAD");
    allowByPath.set(op.path, methods.join(", "));
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
    allowed: (path) => allowByPath.get(path) ?? "",
  };
}
