// Turns the validator's errors into the spec's FieldError list, in the service's own words.
import type { ErrorObject } from "ajv";
import type { FieldError } from "./problems.js";

const MAX_FIELD_ERRORS = 10;

/** One JSON Pointer segment (RFC 6901) unescaped: `~1` is `/`, `~0` is `~`. */
export function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** A JSON Pointer such as Ajv's `instancePath` as its unescaped segments; `""` is none. */
export function pointerSegments(pointer: string): string[] {
  return pointer.split("/").slice(1).map(unescapePointer);
}

/** An enum's allowed values as the messages list them: `"a", "b", null`. */
export function formatAllowedValues(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** `/requestBody/data/userProfile` becomes `data.userProfile`; the body itself is `body`. */
function fieldOf(instancePath: string, child?: unknown): string {
  const segments = pointerSegments(instancePath);
  const inBody = segments[0] === "requestBody";
  const path = inBody ? segments.slice(1) : segments;
  if (typeof child === "string") path.push(child);
  if (path.length === 0) return inBody || segments.length === 0 ? "body" : "request";
  return path.join(".");
}

function describe(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { field: fieldOf(error.instancePath, params.missingProperty), message: "is required" };
    case "additionalProperties":
      return {
        field: fieldOf(error.instancePath, params.additionalProperty),
        message: "is not a known property here",
      };
    case "type":
      return {
        field: fieldOf(error.instancePath),
        message: `must be of type ${String(params.type)}`,
      };
    case "enum":
      return {
        field: fieldOf(error.instancePath),
        message: `must be one of ${formatAllowedValues(params.allowedValues as unknown[])}`,
      };
    case "not":
      return {
        field: fieldOf(error.instancePath),
        message: "must not be present in this request shape",
      };
    case "anyOf":
    case "oneOf":
      return {
        field: fieldOf(error.instancePath),
        message:
          error.instancePath === "/requestBody"
            ? "matches none of the request shapes (registration, progressive profile, Classic)"
            : "matches none of the allowed shapes",
      };
    case "format":
      return {
        field: fieldOf(error.instancePath),
        message: `must be a valid ${String(params.format)}`,
      };
    default:
      return { field: fieldOf(error.instancePath), message: "is not valid" };
  }
}

export function describeValidationErrors(errors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const described: FieldError[] = [];
  for (const error of errors) {
    const item = describe(error);
    const key = `${item.field}\u0000${item.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    described.push(item);
    if (described.length === MAX_FIELD_ERRORS) break;
  }
  return described.length > 0 ? described : [{ field: "body", message: "is not valid" }];
}
