// Validates every response a test receives against the OpenAPI document, independently of the app's own validator.
// The checks themselves live in src/contract/responses.ts, shared with the preview CLI.
import assert from "node:assert/strict";
import type { Response } from "supertest";
import { createResponseContract, type SpecDocument } from "../../src/cli/contract.js";

const contract = createResponseContract();

export const spec: SpecDocument = contract.document;

/** Every operation the spec declares, by id. */
export const specOperations: ReadonlyMap<string, { method: string; path: string }> =
  contract.operations;

/** Validates a body against a named component schema (for fixtures and samples). */
export function validateSchema(name: string, value: unknown): readonly string[] {
  return contract.validateSchema(name, value);
}

/** Which operations the tests in this process have exercised. */
export const exercisedOperations = new Set<string>();

/** Asserts the response is exactly what the spec documents for its operation and status. */
export function assertMatchesSpec(res: Response): void {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  const header = res.headers["content-type"];
  const result = contract.check({
    method: req.method,
    path: new URL(req.path, "http://service.test").pathname,
    status: res.status,
    contentType: header === undefined ? undefined : String(header),
    text: res.text ?? "",
  });
  if (result.operationId !== undefined) exercisedOperations.add(result.operationId);
  assert.ok(result.ok, `${result.violations.join("\n")}\n${res.text ?? ""}`);
}
