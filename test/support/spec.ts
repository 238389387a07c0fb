// Validates every response a test receives against the OpenAPI document, independently of the app's own validator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import type { Response } from "supertest";

interface MediaObject {
  schema?: { $ref?: string };
  examples?: Record<string, { $ref: string }>;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, MediaObject>;
}
interface OperationObject {
  operationId: string;
  requestBody?: { content: Record<string, MediaObject> };
  responses: Record<string, ResponseObject>;
}
interface SpecDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    schemas: Record<string, object>;
    responses: Record<string, ResponseObject>;
    examples: Record<string, { value: unknown }>;
  };
}

export const spec = JSON.parse(
  readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"),
) as SpecDocument;

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every operation the spec declares, by id. */
export const specOperations: ReadonlyMap<string, { method: string; path: string }> = new Map(
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => [op.operationId, { method, path }] as const),
  ),
);

// Component schemas become draft-07 definitions; refs are rewritten to point at them.
const SCHEMAS_ID = "urn:spec:schemas";
const ajv = new Ajv({ strict: true, allErrors: true });
ajvFormats.default(ajv);
ajv.addKeyword("example");
const rewrite = <T>(value: T): T =>
  JSON.parse(
    JSON.stringify(value).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/definitions/`),
  ) as T;
ajv.addSchema({ $id: SCHEMAS_ID, definitions: rewrite(spec.components.schemas) });

const compiled = new Map<object, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(rewrite(schema));
    compiled.set(schema, validate);
  }
  return validate;
}

function resolveResponse(response: ResponseObject): ResponseObject {
  const prefix = "#/components/responses/";
  if (response.$ref?.startsWith(prefix)) {
    const target = spec.components.responses[response.$ref.slice(prefix.length)];
    assert.ok(target, `unresolvable response ${response.$ref}`);
    return target;
  }
  return response;
}

/** Validates a body against a named component schema (for fixtures and samples). */
export function validateSchema(name: string, value: unknown): readonly string[] {
  const validate = validatorFor({ $ref: `#/components/schemas/${name}` });
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Which operations the tests in this process have exercised. */
export const exercisedOperations = new Set<string>();

function documentedResponse(method: string, path: string, status: number): ResponseObject {
  const item = spec.paths[path];
  const op = item?.[method];
  if (op) {
    exercisedOperations.add(op.operationId);
    const documented = op.responses[String(status)];
    assert.ok(
      documented,
      `${method.toUpperCase()} ${path} answered ${status}, which the spec does not document`,
    );
    return resolveResponse(documented);
  }
  // No operation: the shared problem responses document what the service answers.
  const expected = item ? 405 : 404;
  assert.equal(status, expected, `${method.toUpperCase()} ${path} should answer ${expected}`);
  const shared = spec.components.responses[item ? "MethodNotAllowed" : "NotFound"];
  assert.ok(shared);
  return shared;
}

/** Asserts the response is exactly what the spec documents for its operation and status. */
export function assertMatchesSpec(res: Response): void {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  const method = req.method.toLowerCase();
  const path = new URL(req.path, "http://service.test").pathname;
  const documented = documentedResponse(method, path, res.status);
  const contentType =
    String(res.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim() ?? "";
  if (!documented.content) {
    assert.equal(res.text ?? "", "", `${res.status} must have no body`);
    return;
  }
  const media = documented.content[contentType];
  assert.ok(
    media,
    `content type "${contentType}" for ${res.status} is not one of ${Object.keys(documented.content).join(", ")}`,
  );
  if (!media.schema) return;
  const body: unknown = contentType.endsWith("json") ? JSON.parse(res.text) : res.text;
  const validate = validatorFor(media.schema);
  assert.ok(
    validate(body),
    `response ${res.status} does not match the spec: ${ajv.errorsText(validate.errors)}\n${res.text}`,
  );
}
