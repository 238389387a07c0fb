// openapi-backend's request validators called without its pipeline, for the hot path: the ones it
// builds from the spec, precompiled to code in generated/validators.cjs by `npm run generate`, so
// that validating a hook call needs nothing of openapi-backend loaded.
import type { IncomingMessage } from "node:http";
import type { ErrorObject, ValidateFunction } from "ajv";
import { requestValidators } from "../../generated/validators.cjs";
import type { OperationId } from "../spec.js";

export type RequestValidator = (
  headers: IncomingMessage["headers"],
  body: unknown,
) => readonly ErrorObject[] | undefined;

const EMPTY = Object.freeze({});

/**
 * One operation's request validators as openapi-backend's `validateRequest` calls them, for an
 * operation without parameters: the same parameter object, the same rule for when the body takes
 * part, the errors of every validator in order.
 */
export function requestValidator(validators: readonly ValidateFunction[]): RequestValidator {
  return (headers, body) => {
    const mediaType = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    const parameters: Record<string, unknown> = {
      path: EMPTY,
      query: EMPTY,
      header: headers,
      cookie: EMPTY,
    };
    if (typeof body === "object" || mediaType === "application/json") parameters.requestBody = body;
    let errors: ErrorObject[] | undefined;
    for (const validate of validators) {
      validate(parameters);
      if (validate.errors) errors = [...(errors ?? []), ...validate.errors];
    }
    return errors;
  };
}

/** The precompiled validators of an operation without parameters (POST /registrationHook). */
export function precompiledValidator(operationId: OperationId): RequestValidator {
  const validators = requestValidators[operationId];
  if (validators === undefined) throw new Error(`no precompiled validators for ${operationId}`);
  return requestValidator(validators);
}
