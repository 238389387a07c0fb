// Validates every response a test receives against the OpenAPI document, independently of the
// app's own validator. The checks themselves live in src/cli/contract.ts, shared with the preview
// CLI. Every client in test/support (app.ts in process, socket.ts over a socket) ends here.
import assert from "node:assert/strict";
import type { OpenAPIV3 } from "openapi-types";
import type { Response } from "supertest";
import {
  createResponseContract,
  type ObservedResponse,
  type OperationLocation,
} from "../../src/cli/contract.js";

const contract = createResponseContract();

export const spec: OpenAPIV3.Document = contract.document;

/** Every operation the spec declares, by id. */
export const specOperations: ReadonlyMap<string, OperationLocation> = contract.operations;

/** The target of a local `$ref` of the spec, or the value itself when it is none. */
export const resolveRef = contract.resolve;

/** Validates a body against a named component schema (for fixtures and samples). */
export function validateSchema(name: string, value: unknown): readonly string[] {
  return contract.validateSchema(name, value);
}

/** Which operations the tests in this process have exercised. */
export const exercisedOperations = new Set<string>();

/**
 * The routes the service serves that the spec does not describe: the published contract itself
 * and its reference page. Only these may be checked with `assertOutsideSpec` instead.
 */
const OUTSIDE_SPEC = /^\/(?:openapi\.json|openapi\.yaml|docs(?:\/.*)?)$/;

export function isOutsideSpec(path: string): boolean {
  return OUTSIDE_SPEC.test(new URL(path, "http://service.test").pathname);
}

/** Asserts an answer, however it was received, is exactly what the spec documents for its operation and status. */
export function assertAnswerMatchesSpec(answer: ObservedResponse): void {
  const path = new URL(answer.path, "http://service.test").pathname;
  const result = contract.check({ ...answer, path });
  if (result.operationId !== undefined) exercisedOperations.add(result.operationId);
  assert.ok(
    result.ok,
    `${answer.method.toUpperCase()} ${path} ${answer.status}: ${result.violations.join("\n")}\n${answer.text}`,
  );
}

/** The request line of a supertest answer. */
function requestOf(res: Response): { method: string; path: string } {
  return (res as unknown as { req: { method: string; path: string } }).req;
}

/** Asserts the (supertest) response is exactly what the spec documents for its operation and status. */
export function assertMatchesSpec(res: Response): void {
  const { method, path } = requestOf(res);
  const header = res.headers["content-type"];
  assertAnswerMatchesSpec({
    method,
    path,
    status: res.status,
    contentType: header === undefined ? undefined : String(header),
    text: res.text ?? "",
  });
}

/**
 * The one opt-out: an answer on a route outside the spec (`/openapi.json`, `/openapi.yaml`,
 * `/docs*`). Fails for any other path, and for a 5xx.
 */
export function assertOutsideSpec(
  res: Response | { readonly path: string; readonly status: number },
): void {
  const { path, status } = "path" in res ? res : { path: requestOf(res).path, status: res.status };
  assert.ok(isOutsideSpec(path), `${path} is in the spec: check it with assertMatchesSpec`);
  assert.ok(status < 500, `${path} answered ${status}`);
}
